/*
 * Socket.IO has one room namespace; chat rooms, sessions and users each get a prefix so a
 * chat room can never be named like a session, a user or a socket's own room.
 */

export const chatRoomKey = (room: string): string => `room:${room}`;
export const sessionRoomKey = (sessionId: string): string => `session:${sessionId}`;
export const userRoomKey = (userId: number): string => `user:${userId}`;

const CHAT_PREFIX = 'room:';
const USER_PREFIX = 'user:';

/** The chat rooms a socket is in, by their public names. */
export function chatRoomsOf(rooms: Iterable<string>): string[] {
  const names: string[] = [];
  for (const key of rooms) if (key.startsWith(CHAT_PREFIX)) names.push(key.slice(CHAT_PREFIX.length));
  return names;
}

export const isUserRoomKey = (key: string): boolean => key.startsWith(USER_PREFIX);
export const userIdOfRoomKey = (key: string): number => Number(key.slice(USER_PREFIX.length));
