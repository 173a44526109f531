import { AppError } from '../errors.js';
import type { ChatMessage } from '../protocol.js';
import type { RealtimeContext } from './context.js';
import { requireIdentity } from './identity.js';
import { isInRoom } from './membership.js';
import { chatRoomKey } from './room-names.js';
import { messagePayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket } from './types.js';

/**
 * `message`: the budget is spent before the payload is read, so a flood of junk is refused as
 * cheaply as a flood of text. The message is stored before anyone sees it, so what a room saw
 * is what `history` returns. A resend of a `client_id` already stored is acknowledged with the
 * first message's id and not shown again: the room saw the first one.
 */
export async function sendMessage(
  ctx: RealtimeContext,
  socket: ChatSocket,
  payload: unknown,
): Promise<{ id: number }> {
  const { user } = await requireIdentity(ctx, socket);
  await ctx.limits.message(socket.id);
  const { room, text, client_id } = parsePayload(messagePayload, payload);
  if (!isInRoom(socket, room)) {
    throw new AppError('not_in_room', `join ${room} before sending to it`, { field: 'room' });
  }
  const ts = ctx.clock.now();
  const { id, duplicate } = await ctx.messages.write({
    room,
    user_id: user.id,
    text,
    created_at: ts,
    client_id,
  });
  if (!duplicate)
    ctx.io.to(chatRoomKey(room)).emit('message', { id, room, user, text, ts } satisfies ChatMessage);
  return { id };
}
