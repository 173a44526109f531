import type { ChatMessage } from '../protocol.js';
import type { RealtimeContext } from './context.js';
import { blockPayload, searchPayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket, Identity } from './types.js';

/** `search`: newest first, over what the user may read. */
export async function searchMessages(
  ctx: RealtimeContext,
  socket: ChatSocket,
  { user }: Identity,
  payload: unknown,
): Promise<{ messages: ChatMessage[] }> {
  const { query, room, limit } = parsePayload(searchPayload, payload);
  return { messages: await ctx.chat.search(user.id, query, room, limit) };
}

/** `block` / `unblock` a user by name: their direct messages and room messages stop reaching you. */
export async function setBlocked(
  ctx: RealtimeContext,
  socket: ChatSocket,
  { user }: Identity,
  payload: unknown,
  blocked: boolean,
): Promise<{ username: string; blocked: boolean }> {
  const { username } = parsePayload(blockPayload, payload);
  return ctx.chat.block(user.id, username, blocked);
}
