import { audience } from './audience.js';
import type { RealtimeContext } from './context.js';
import { deletePayload, editPayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket, Identity } from './types.js';

/**
 * `edit`: the author's new text, under the same length and rate rules as a message; whoever saw
 * the message sees the edit. Anyone else's message, and an id that is not there, are refused
 * with the same `forbidden`.
 */
export async function editMessage(
  ctx: RealtimeContext,
  socket: ChatSocket,
  { user }: Identity,
  payload: unknown,
): Promise<{ id: number; edited_at: number }> {
  const { id, text } = parsePayload(editPayload, payload);
  const edited = await ctx.chat.edit(user.id, id, text);
  (await audience(ctx, edited.room, user.id)).emit('message_edited', edited);
  return { id, edited_at: edited.edited_at };
}

/** `delete`: the author's message leaves history and search, and every socket that saw it hears so. */
export async function deleteMessage(
  ctx: RealtimeContext,
  socket: ChatSocket,
  { user }: Identity,
  payload: unknown,
): Promise<{ id: number }> {
  const { id } = parsePayload(deletePayload, payload);
  const deleted = await ctx.chat.remove(user.id, id);
  (await audience(ctx, deleted.room, user.id)).emit('message_deleted', deleted);
  return { id };
}
