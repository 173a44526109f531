import type { Server, Socket } from 'socket.io';
import type {
  ChatUser,
  ClientToServerEvents,
  ErrorBody,
  Role,
  ServerToClientEvents,
  TokenScope,
} from '../protocol.js';

/** Who a socket acts as, and which session vouches for it (so that revoking the session reaches it). */
export interface Identity {
  user: ChatUser;
  sessionId: string;
  /** Absolute session expiry, ms since the epoch. */
  expiresAt: number;
  /** The session's last recorded use when the socket signed in (SESSION_IDLE_DAYS counts from it). */
  seenAt: number;
  /** null for a session (it may do everything); a personal access token's scopes otherwise. */
  scopes: TokenScope[] | null;
  /** The account's role when the socket signed in; a change of role signs its sockets out. */
  role: Role;
}

/** Per-socket state. */
export interface SocketData {
  identity: Identity | null;
  /** Client address, as the per-address limits see it. */
  address: string;
  /** What this connection's handshake token proved, or why it proved nothing. */
  handshake: { identity: Identity | null; error?: ErrorBody };
}

/** Questions between server processes, through the adapter (see other-processes.ts). */
export interface InterServerEvents {
  'presence:room': (room: string, reply: (users: ChatUser[]) => void) => void;
  'presence:users': (reply: (userIds: number[]) => void) => void;
  /** A moderator or a room's owner took the user out of the room (eviction.ts). */
  'moderation:evict': (userId: number, room: string) => void;
}

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
