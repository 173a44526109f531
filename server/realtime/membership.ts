import { AppError } from '../errors.js';
import { CHAT } from '../protocol.js';
import type { RealtimeContext } from './context.js';
import { chatRoomKey, chatRoomsOf } from './room-names.js';
import type { ChatSocket } from './types.js';

export const isInRoom = (socket: ChatSocket, room: string): boolean => socket.rooms.has(chatRoomKey(room));

/**
 * Puts a signed-in socket in a chat room. The room hears of it when the user is new there; a
 * user's further socket gets the member list for itself, so every socket knows who is in.
 */
export function enterRoom(ctx: RealtimeContext, socket: ChatSocket, room: string): void {
  const identity = socket.data.identity;
  if (!identity || socket.disconnected) return;
  if (!isInRoom(socket, room)) {
    if (chatRoomsOf(socket.rooms).length >= CHAT.roomsPerSocket) {
      throw new AppError('too_many_rooms', `a connection can be in at most ${CHAT.roomsPerSocket} rooms`);
    }
    socket.join(chatRoomKey(room));
  }
  if (ctx.presence.add(room, identity.user, socket.id)) ctx.presence.announce(room);
  else ctx.presence.tell(socket, room);
}

/** Takes a socket out of a chat room; the room hears of it when the user's last socket left. */
export function exitRoom(ctx: Pick<RealtimeContext, 'presence'>, socket: ChatSocket, room: string): void {
  if (!isInRoom(socket, room)) return;
  socket.leave(chatRoomKey(room));
  const identity = socket.data.identity;
  if (identity && ctx.presence.remove(room, identity.user.id, socket.id)) ctx.presence.announce(room);
}

/** Takes a socket out of every chat room (when it signs out). */
export function exitAllRooms(ctx: RealtimeContext, socket: ChatSocket): void {
  for (const room of chatRoomsOf(socket.rooms)) exitRoom(ctx, socket, room);
}

/** Counts a disconnecting socket out of presence; Socket.IO drops its rooms itself right after. */
export function countOutOfPresence(ctx: RealtimeContext, socket: ChatSocket): void {
  const identity = socket.data.identity;
  if (!identity) return;
  for (const room of chatRoomsOf(socket.rooms)) {
    if (ctx.presence.remove(room, identity.user.id, socket.id)) ctx.presence.announce(room);
  }
}
