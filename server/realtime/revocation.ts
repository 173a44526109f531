import { sessionRoomKey, userRoomKey } from './room-names.js';
import type { ChatServer, SocketData } from './types.js';

const ENDED = { error: 'your session ended; sign in again', code: 'unauthorized' as const };

/**
 * Ends the live sockets of a session or of a user, here and (through the adapter) in every
 * other server process. They are told why with `auth_error`, then disconnected by the server,
 * which a Socket.IO client does not retry. This process's own sockets are disconnected directly,
 * not through the adapter: the Redis adapter delivers a disconnect only by way of Redis, even to
 * the process that asked, and revocation must not depend on Redis being up.
 *
 * Socket.IO keeps a dropped socket's rooms and missed messages for a while so it can recover
 * them, and replays those messages before any middleware runs. A socket that dropped just
 * before its session was revoked must not get them back, so revoked sessions and users are
 * remembered for as long as a recovery may come, and such recoveries are refused.
 */
export function createRevocation(io: ChatServer, recoveryWindowMs: number) {
  const revokedSessions = new Map<string, number>();
  const revokedUsers = new Map<number, number>();
  const remember = <K>(map: Map<K, number>, key: K) => {
    const now = Date.now();
    for (const [k, until] of map) if (until <= now) map.delete(k);
    map.set(key, now + recoveryWindowMs);
  };
  const isRevoked = (data: Partial<SocketData> | undefined): boolean => {
    const identity = data?.identity;
    if (!identity) return false;
    const now = Date.now();
    const s = revokedSessions.get(identity.sessionId);
    const u = revokedUsers.get(identity.user.id);
    return (s !== undefined && s > now) || (u !== undefined && u > now);
  };

  // The adapter is where recoveries are looked up; wrapping the instance (not the class)
  // keeps this working with whichever adapter is configured.
  const adapter = io.of('/').adapter;
  const restore = adapter.restoreSession.bind(adapter);
  adapter.restoreSession = async (pid, offset) => {
    const session = await restore(pid, offset);
    // The declared type omits it, but null is what adapters return for "nothing to recover".
    if (session && isRevoked(session.data as Partial<SocketData>)) return null as unknown as typeof session;
    return session;
  };

  return {
    session(sessionId: string): void {
      remember(revokedSessions, sessionId);
      io.to(sessionRoomKey(sessionId)).emit('auth_error', ENDED);
      io.local.in(sessionRoomKey(sessionId)).disconnectSockets(true);
      io.in(sessionRoomKey(sessionId)).disconnectSockets(true);
    },
    user(userId: number): void {
      remember(revokedUsers, userId);
      io.to(userRoomKey(userId)).emit('auth_error', ENDED);
      io.local.in(userRoomKey(userId)).disconnectSockets(true);
      io.in(userRoomKey(userId)).disconnectSockets(true);
    },
  };
}
