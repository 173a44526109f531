/*
 * Socket.IO has one room namespace; chat rooms, sessions and users each get a prefix so a
 * chat room can never be named like a session, a user or a socket's own room.
 */

import { CHAT } from '../protocol.js';

const CHAT_PREFIX = 'room:';
const SESSION_PREFIX = 'session:';
const USER_PREFIX = 'user:';
const ACCOUNT_PREFIX = 'account:';

const LOBBY_KEY = `${CHAT_PREFIX}${CHAT.defaultRoom}`;

/** The lobby's key is one string for every socket, which each socket's own room set holds. */
export const chatRoomKey = (room: string): string =>
  room === CHAT.defaultRoom ? LOBBY_KEY : `${CHAT_PREFIX}${room}`;
export const sessionRoomKey = (sessionId: string): string => `${SESSION_PREFIX}${sessionId}`;
export const userRoomKey = (userId: number): string => `${USER_PREFIX}${userId}`;
/**
 * Every signed-in socket of a user, whatever it may read: how ending all of a user's sessions
 * and tokens finds them. The user room (userRoomKey) holds only the sockets that receive chat
 * (a session, or a token with chat:read), since direct messages and mentions go through it.
 */
export const accountRoomKey = (userId: number): string => `${ACCOUNT_PREFIX}${userId}`;

/** The chat rooms a socket is in, by their public names. */
export function chatRoomsOf(rooms: Iterable<string>): string[] {
  const names: string[] = [];
  for (const key of rooms) if (key.startsWith(CHAT_PREFIX)) names.push(key.slice(CHAT_PREFIX.length));
  return names;
}

export const isUserRoomKey = (key: string): boolean => key.startsWith(USER_PREFIX);
export const userIdOfRoomKey = (key: string): number => Number(key.slice(USER_PREFIX.length));
export const isSessionRoomKey = (key: string): boolean => key.startsWith(SESSION_PREFIX);
export const sessionIdOfRoomKey = (key: string): string => key.slice(SESSION_PREFIX.length);
