import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ServerConfig } from '../../config/index.js';
import type { Accounts } from '../accounts/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { LIMITS, SOCKET_PATH } from '../protocol.js';
import { clientAddress } from './client-address.js';
import { createCluster } from './cluster.js';
import { connectionLimit } from './connection-limit.js';
import { onConnection } from './connection.js';
import type { RealtimeContext } from './context.js';
import { handshakeAuth } from './handshake.js';
import { createSocketLimits } from './limits.js';
import { MessageWriter } from './message-writer.js';
import { originPolicy } from './origin.js';
import { otherProcesses, type LocalAnswers } from './other-processes.js';
import { Presence } from './presence.js';
import { createRevocation } from './revocation.js';
import { isUserRoomKey, userIdOfRoomKey } from './room-names.js';
import type { ChatServer } from './types.js';

/**
 * How long a dropped socket may come back with its rooms and missed messages. With REDIS_URL the
 * (pub/sub) Redis adapter keeps no sessions, so no socket is recovered: every reconnection says
 * `recovered: false`, and clients join their rooms again and read what they missed from `history`.
 */
export const RECOVERY_WINDOW_MS = 2 * 60_000;

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
  /** Tells every socket the server is going, closes them, and stops the HTTP server listening. */
  close(): Promise<void>;
}

/** Socket.IO on the HTTP server: chat, rooms, presence and history (PROTOCOL.md, "Socket.IO"). */
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
    // Middlewares run on recovery too, so a token revoked while the socket was away is noticed.
    connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false },
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
  const ctx: RealtimeContext = {
    io,
    accounts: deps.accounts,
    db: deps.db,
    clock: deps.clock,
    log,
    presence,
    limits: createSocketLimits(),
    messages,
  };
  const revoke = createRevocation(io, RECOVERY_WINDOW_MS);

  io.use((socket, next) => {
    socket.data.identity ??= null;
    socket.data.address = clientAddress(socket.handshake, config.trustProxy);
    next();
  });
  io.use(connectionLimit(config.limitSocketsPerAddress).middleware);
  io.use(handshakeAuth(deps.accounts, log));
  io.on('connection', (socket) => onConnection(ctx, socket));
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
    async close() {
      presence.close();
      const closed = io.close();
      // Messages already accepted are stored before the database closes.
      await messages.idle();
      await closed;
      await cluster?.close();
    },
  };
}
