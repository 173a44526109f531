import type { RealtimeContext } from './context.js';
import { requireIdentity } from './identity.js';
import { enterRoom, exitRoom } from './membership.js';
import { roomPayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket } from './types.js';

/** `join`: rooms are open; any signed-in socket may enter any validly named room. */
export async function joinRoom(
  ctx: RealtimeContext,
  socket: ChatSocket,
  payload: unknown,
): Promise<{ room: string }> {
  await requireIdentity(ctx, socket);
  await ctx.limits.request(socket.id);
  const { room } = parsePayload(roomPayload, payload);
  enterRoom(ctx, socket, room);
  return { room };
}

/** `leave`: leaving a room the socket is not in succeeds, so a retry is harmless. */
export async function leaveRoom(
  ctx: RealtimeContext,
  socket: ChatSocket,
  payload: unknown,
): Promise<{ room: string }> {
  await requireIdentity(ctx, socket);
  await ctx.limits.request(socket.id);
  const { room } = parsePayload(roomPayload, payload);
  exitRoom(ctx, socket, room);
  return { room };
}
