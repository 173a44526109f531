import { assertMayRead, isDirectRoom } from '../chat/index.js';
import type { RealtimeContext } from './context.js';
import { enterRoom, exitRoom } from './membership.js';
import { anyRoomPayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket, Identity } from './types.js';

/**
 * `join`: public rooms are open; any signed-in socket may enter any validly named room. A direct
 * message room is answered, not entered: its users' sockets receive it wherever they are, and
 * anyone else is refused.
 */
export async function joinRoom(
  ctx: RealtimeContext,
  socket: ChatSocket,
  { user }: Identity,
  payload: unknown,
): Promise<{ room: string }> {
  const { room } = parsePayload(anyRoomPayload, payload);
  if (isDirectRoom(room)) assertMayRead(user.id, room);
  else enterRoom(ctx, socket, room);
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
