import { AppError, isAppError } from '../errors.js';
import { CHAT } from '../protocol.js';
import { hasAccess, type Authenticated, type Caller } from '../accounts/index.js';
import type { RealtimeContext } from './context.js';
import { enterRoom, exitAllRooms, exitRoom } from './membership.js';
import type { ChatSocket, Identity } from './types.js';

export const toIdentity = ({ user, session, token }: Authenticated): Identity => ({
  user: { id: user.id, username: user.username },
  sessionId: session.id,
  expiresAt: session.expires_at,
  seenAt: session.last_seen_at,
  scopes: token ? [...token.scopes] : null,
  role: user.role,
});

/** The socket's caller, as the accounts' access check sees it. */
export const socketCaller = (identity: Identity): Caller => ({ role: identity.role, grant: identity.scopes });

/**
 * Makes the socket act as `identity`: reachable through its session's and account's rooms (which
 * is how revocation finds it). A socket that may read chat (a session, or a token with chat:read)
 * also joins the user's room (direct messages, mentions) and the lobby; one that may not receives
 * no chat at all. A socket that was someone else leaves that first.
 */
export function signIn(ctx: RealtimeContext, socket: ChatSocket, identity: Identity): void {
  // A sign-in that finishes after the client left must not put a dead socket in rooms.
  if (socket.disconnected) return;
  if (socket.data.identity) signOut(ctx, socket);
  // Equal identities are one object, with one set of room key strings, for all their sockets.
  identity = ctx.identities.of(identity);
  const rooms = ctx.identities.roomsOf(identity);
  socket.data.identity = identity;
  socket.join([rooms.session, rooms.account]);
  if (!hasAccess(socketCaller(identity), 'chat:read')) return;
  socket.join(rooms.user);
  enterRoom(ctx, socket, CHAT.defaultRoom);
  // Sign-in stays synchronous (a client may send the moment it is greeted); a member banned from
  // the lobby is taken out as soon as the ban is read, and `message` refuses them meanwhile.
  ctx.chat.moderation.assertMayJoin(identity.user.id, CHAT.defaultRoom).catch((err: unknown) => {
    if (isAppError(err) && err.code === 'banned') exitRoom(ctx, socket, CHAT.defaultRoom);
    else ctx.log.warn({ err, sid: socket.id }, 'could not read lobby bans at sign-in');
  });
}

/** Back to a guest: out of every chat room and out of revocation's reach (nothing left to revoke). */
export function signOut(ctx: RealtimeContext, socket: ChatSocket): void {
  const identity = socket.data.identity;
  if (!identity) return;
  exitAllRooms(ctx, socket);
  const rooms = ctx.identities.roomsOf(identity);
  socket.leave(rooms.session);
  socket.leave(rooms.user);
  socket.leave(rooms.account);
  socket.data.identity = null;
}

/**
 * The socket's identity, or `unauthorized`. A session that expired while the socket stayed
 * open ends here too: revocation is pushed, absolute expiry is noticed on use, and idleness by
 * the session upkeep, which also counts this event as a use of the session. A promise only while
 * the session upkeep asks about the session (once a minute at most); refusals are thrown.
 */
export function requireIdentity(ctx: RealtimeContext, socket: ChatSocket): Identity | Promise<Identity> {
  const identity = socket.data.identity;
  if (identity && identity.expiresAt > ctx.clock.now()) {
    // Nearly every event: the session was checked lately, and the answer is the identity at once.
    const checking = ctx.sessions.used(identity);
    return checking ? checking.then(() => identity) : identity;
  }
  if (identity) signOut(ctx, socket);
  throw new AppError(
    'unauthorized',
    identity
      ? 'your session expired; sign in again'
      : 'sign in first: connect with auth.token or send authenticate',
  );
}
