import type { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server } from 'socket.io';
import type { ServerConfig } from '../../config/index.js';
import type { Accounts } from '../accounts/index.js';
import { createChat } from '../chat/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { LIMITS, SOCKET_PATH } from '../protocol.js';
import { batchFrames } from './batched-frames.js';
import { clientAddress } from './client-address.js';
import { createCluster } from './cluster.js';
import { createEviction } from './eviction.js';
import { connectionLimit } from './connection-limit.js';
import { connectionHandler, socketListeners } from './connection.js';
import type { RealtimeContext } from './context.js';
import { handshakeAuth } from './handshake.js';
import { createSocketLimits } from './limits.js';
import { MessageWriter } from './message-writer.js';
import { originPolicy } from './origin.js';
import { otherProcesses, type LocalAnswers } from './other-processes.js';
import { Presence } from './presence.js';
import { createRevocation } from './revocation.js';
import { isUserRoomKey, userIdOfRoomKey } from './room-names.js';
import { SessionUpkeep } from './session-upkeep.js';
import { SharedIdentities } from './shared-identities.js';
import type { ChatServer } from './types.js';

/**
 * At shutdown, how long an open WebSocket connection gets to finish its closing handshake before
 * it is cut. Socket.IO's close() waits for the HTTP server to close, which waits for every
 * connection; a client that never answers the closing handshake (one that stopped reading, as a
 * client may after the server refused its oversized frame) would hold it for the WebSocket
 * library's own 30 s close timeout, past the 10 s a shutdown gets.
 */
export const CLOSE_GRACE_MS = 1000;

export interface RealtimeDeps {
  http: HttpServer;
  config: Pick<
    ServerConfig,
    'corsOrigins' | 'limitSocketsPerAddress' | 'trustProxy' | 'redisUrl' | 'redisKeyPrefix'
  >;
  publicUrl: () => string | undefined;
  accounts: Accounts;
  db: Db;
  clock: Clock;
  log: Logger;
}

export interface Realtime {
  readonly io: ChatServer;
  /** Distinct signed-in users with a live socket, on every server process that answers. */
  connectedUsers(): Promise<number>;
  /** Disconnects every socket of a session (logout, session revoked). */
  revokeSession(sessionId: string): void;
  /** Disconnects every socket of a user (password reset, account deleted). */
  revokeUser(userId: number): void;
  /**
   * Checks the session of every socket on this process now, disconnecting those whose session
   * ended (idle, expired); a timer does this every minute.
   */
  checkSessions(): Promise<void>;
  /** Tells every socket the server is going, closes them, and stops the HTTP server listening. */
  close(): Promise<void>;
}

/** Socket.IO on the HTTP server: chat, rooms, presence and history (docs/api.md, "Socket.IO"). */
export function createRealtime(deps: RealtimeDeps): Realtime {
  const { config, log } = deps;
  // Several server processes share rooms, presence and revocation through Redis.
  const cluster = config.redisUrl ? createCluster(config.redisUrl, config.redisKeyPrefix, log) : undefined;
  const io: ChatServer = new Server(deps.http, {
    adapter: cluster?.adapter,
    path: SOCKET_PATH,
    // The browser page loads the client from here (/socket.io/socket.io.min.js): same origin, no CDN.
    serveClient: true,
    maxHttpBufferSize: LIMITS.bodyBytes,
    // A connection that never joins the namespace gives its slot back soon.
    connectTimeout: 10_000,
    // No connectionStateRecovery: it appends an offset argument to every event (a client whose
    // handlers take one argument breaks) and keeps every dropped socket's missed packets in
    // memory. A reconnecting client catches up with `history` `after` instead.
    ...originPolicy(config.corsOrigins, deps.publicUrl),
  });
  const localUserIds = () => {
    const ids: number[] = [];
    for (const key of io.of('/').adapter.rooms.keys()) if (isUserRoomKey(key)) ids.push(userIdOfRoomKey(key));
    return ids;
  };
  // Presence answers the other processes from its own counts, and asks them for theirs.
  const local: LocalAnswers = {
    roomUsers: (room) => presence.localUsers(room),
    userIds: localUserIds,
  };
  const others = cluster && otherProcesses(io, cluster, local, log);
  const presence = new Presence(io, log, others);
  const messages = new MessageWriter(deps.db);
  const revoke = createRevocation(io);
  const sessions = new SessionUpkeep(io, deps.accounts, deps.clock, log, revoke);
  const ctx: RealtimeContext = {
    io,
    accounts: deps.accounts,
    chat: createChat(deps.db, deps.clock),
    db: deps.db,
    clock: deps.clock,
    log,
    presence,
    limits: createSocketLimits(),
    messages,
    sessions,
    identities: new SharedIdentities(),
    evict: createEviction(io, presence, log, cluster !== undefined),
  };
  const upgraded = trackUpgrades(deps.http);

  const listenTo = socketListeners(ctx);
  io.use((socket, next) => {
    // Before anything else adds a listener to the socket (shared-listeners.ts).
    listenTo(socket);
    socket.data.identity ??= null;
    socket.data.address = clientAddress(socket.handshake, config.trustProxy);
    next();
  });
  const perAddress = connectionLimit(config.limitSocketsPerAddress);
  io.use(perAddress.middleware);
  io.use(handshakeAuth(deps.accounts, log));
  io.on('connection', perAddress.connected);
  io.on('connection', connectionHandler(ctx));
  batchFrames(io);
  io.engine.on('connection_error', (err: { code?: number; message?: string }) =>
    log.debug({ code: err.code, reason: err.message }, 'socket transport refused'),
  );

  return {
    io,
    async connectedUsers() {
      const ids = new Set(localUserIds());
      for (const list of (await others?.userIds()) ?? []) for (const id of list) ids.add(id);
      return ids.size;
    },
    revokeSession: revoke.session,
    revokeUser: revoke.user,
    checkSessions: () => sessions.checkAll(),
    async close() {
      presence.close();
      // Resolves once the HTTP server has closed, which waits for every connection to end.
      const closed = io.close();
      await cutAfterGrace(upgraded, CLOSE_GRACE_MS);
      // Messages already accepted are stored before the database closes.
      await messages.idle();
      await closed;
      await sessions.close();
      await cluster?.close();
    },
  };
}

/** The raw connections that were upgraded to WebSocket and are still open. */
function trackUpgrades(http: HttpServer): Set<Duplex> {
  const open = new Set<Duplex>();
  http.on('upgrade', (_req, socket: Duplex) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return open;
}

/** Waits up to `graceMs` for the connections to close, then destroys those still open. */
async function cutAfterGrace(open: Set<Duplex>, graceMs: number): Promise<void> {
  if (open.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([...open].map((socket) => new Promise((resolve) => socket.once('close', resolve)))),
    new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
  ]);
  clearTimeout(timer);
  for (const socket of open) socket.destroy();
}
