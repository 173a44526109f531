import type { ReadEvent, RoomState } from '../protocol.js';
import type { RealtimeContext } from './context.js';
import { chatRoomsOf, userRoomKey } from './room-names.js';
import { readPayload, roomsPayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket, Identity } from './types.js';

/**
 * `read`: the marker is the user's, not the socket's, so their other devices are told where it
 * now stands and can clear the same unread count.
 */
export async function markRead(
  ctx: RealtimeContext,
  socket: ChatSocket,
  { user }: Identity,
  payload: unknown,
): Promise<ReadEvent> {
  const { room, id } = parsePayload(readPayload, payload);
  const marker = await ctx.chat.markRead(user.id, room, id);
  socket.to(userRoomKey(user.id)).emit('read', marker);
  return marker;
}

/** `rooms`: unread and mention counts for the user's rooms and direct messages. */
export async function listRooms(
  ctx: RealtimeContext,
  socket: ChatSocket,
  { user }: Identity,
  payload: unknown,
): Promise<{ rooms: RoomState[] }> {
  parsePayload(roomsPayload, payload);
  return { rooms: await ctx.chat.rooms(user.id, chatRoomsOf(socket.rooms)) };
}
