import { assertMayRead, isDirectRoom } from '../chat/index.js';
import type { RealtimeContext } from './context.js';
import { enterRoom, exitRoom } from './membership.js';
import { anyRoomPayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket, Identity } from './types.js';

/**
 * `join`: public rooms are open; any signed-in socket may enter any validly named room but one
 * it is banned from (`banned`). A private room is open to its members only; to anyone else it
 * answers as a room that does not exist. A direct message room is answered, not entered: its
 * users' sockets receive it wherever they are, and anyone else is refused.
 */
export async function joinRoom(
  ctx: RealtimeContext,
  socket: ChatSocket,
  { user }: Identity,
  payload: unknown,
): Promise<{ room: string }> {
  const { room } = parsePayload(anyRoomPayload, payload);
  await ctx.chat.privateRooms.assertVisible(user.id, room);
  if (isDirectRoom(room)) return { room };
  await ctx.chat.moderation.assertMayJoin(user.id, room);
  enterRoom(ctx, socket, room);
  return { room };
}

/** `leave`: leaving a room the socket is not in succeeds, so a retry is harmless. */
export async function leaveRoom(
  ctx: RealtimeContext,
  socket: ChatSocket,
  { user }: Identity,
  payload: unknown,
): Promise<{ room: string }> {
  const { room } = parsePayload(anyRoomPayload, payload);
  if (isDirectRoom(room)) assertMayRead(user.id, room);
  else exitRoom(ctx, socket, room);
  return { room };
}
