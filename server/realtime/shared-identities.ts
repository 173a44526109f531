import { accountRoomKey, sessionRoomKey, userRoomKey } from './room-names.js';
import type { Identity } from './types.js';

/** The rooms that make a signed-in socket reachable (identity.ts), keyed once per identity. */
export interface IdentityRooms {
  session: string;
  account: string;
  user: string;
}

const sameScopes = (a: Identity['scopes'], b: Identity['scopes']) =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((s, i) => s === b[i]));

const sameIdentity = (a: Identity, b: Identity) =>
  a.sessionId === b.sessionId &&
  a.user.id === b.user.id &&
  a.user.username === b.user.username &&
  a.expiresAt === b.expiresAt &&
  a.seenAt === b.seenAt &&
  a.role === b.role &&
  sameScopes(a.scopes, b.scopes);

/**
 * One Identity object per signed-in session on this process, shared by the session's sockets,
 * with its room keys made once: a client with fifty sockets on one session held fifty equal
 * copies of the user, the identity and three room key strings (each socket's room set keeps the
 * string it joined with). An identity is never changed once made, so a socket given an equal one
 * made earlier behaves the same; one that differs in anything (a newer session row, another role
 * or scopes) replaces it for the sockets that come after. An entry goes when the last socket
 * holding its identity does (a weak reference; the map's key with it).
 */
export class SharedIdentities {
  private readonly bySession = new Map<string, WeakRef<Identity>>();
  private readonly rooms = new WeakMap<Identity, IdentityRooms>();
  private readonly forget = new FinalizationRegistry<string>((sessionId) => {
    if (this.bySession.get(sessionId)?.deref() === undefined) this.bySession.delete(sessionId);
  });

  /** An identity equal to `identity`: the one already shared, or `identity`, shared from now on. */
  of(identity: Identity): Identity {
    const known = this.bySession.get(identity.sessionId)?.deref();
    if (known && sameIdentity(known, identity)) return known;
    this.bySession.set(identity.sessionId, new WeakRef(identity));
    this.forget.register(identity, identity.sessionId);
    return identity;
  }

  /** The identity's room keys, the same strings for every socket that shares it. */
  roomsOf(identity: Identity): IdentityRooms {
    let rooms = this.rooms.get(identity);
    if (!rooms) {
      rooms = {
        session: sessionRoomKey(identity.sessionId),
        account: accountRoomKey(identity.user.id),
        user: userRoomKey(identity.user.id),
      };
      this.rooms.set(identity, rooms);
    }
    return rooms;
  }

  /** Sessions with an identity still held (for tests). */
  get size(): number {
    return this.bySession.size;
  }
}
