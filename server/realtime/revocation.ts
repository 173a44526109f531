import { accountRoomKey, sessionRoomKey } from './room-names.js';
import type { ChatServer } from './types.js';

const ENDED = { error: 'your session ended; sign in again', code: 'unauthorized' as const };
const EXPIRED = { error: 'your session expired; sign in again', code: 'unauthorized' as const };

/**
 * Ends the live sockets of a session or of a user, here and (through the adapter) in every
 * other server process. They are told why with `auth_error`, then disconnected by the server,
 * which a Socket.IO client does not retry. This process's own sockets are disconnected directly,
 * not through the adapter: the Redis adapter delivers a disconnect only by way of Redis, even to
 * the process that asked, and revocation must not depend on Redis being up.
 */
export function createRevocation(io: ChatServer) {
  const end = (key: string, why: typeof ENDED) => {
    io.to(key).emit('auth_error', why);
    io.local.in(key).disconnectSockets(true);
    io.in(key).disconnectSockets(true);
  };
  return {
    session: (sessionId: string) => end(sessionRoomKey(sessionId), ENDED),
    user: (userId: number) => end(accountRoomKey(userId), ENDED),
    /** A session found expired or idle: every process checks its own sockets, so only these. */
    expired(sessionId: string): void {
      io.local.to(sessionRoomKey(sessionId)).emit('auth_error', EXPIRED);
      io.local.in(sessionRoomKey(sessionId)).disconnectSockets(true);
    },
  };
}

export type Revocation = ReturnType<typeof createRevocation>;
