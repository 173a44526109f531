import type { ChatMessage } from '../protocol.js';
import type { RealtimeContext } from './context.js';
import { requireIdentity } from './identity.js';
import { blockPayload, searchPayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket } from './types.js';

/** `search`: newest first, over what the user may read. */
export async function searchMessages(
  ctx: RealtimeContext,
  socket: ChatSocket,
  payload: unknown,
): Promise<{ messages: ChatMessage[] }> {
  const { user } = await requireIdentity(ctx, socket);
  await ctx.limits.request(socket.id);
  const { query, room, limit } = parsePayload(searchPayload, payload);
  return { messages: await ctx.chat.search(user.id, query, room, limit) };
}

/** `block` / `unblock` a user by name: their direct messages and room messages stop reaching you. */
export async function setBlocked(
  ctx: RealtimeContext,
  socket: ChatSocket,
  payload: unknown,
  blocked: boolean,
): Promise<{ username: string; blocked: boolean }> {
  const { user } = await requireIdentity(ctx, socket);
  await ctx.limits.request(socket.id);
  const { username } = parsePayload(blockPayload, payload);
  return ctx.chat.block(user.id, username, blocked);
}
