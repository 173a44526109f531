import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../config/index.js';
import { systemClock, type Clock } from './clock.js';
import { createLogger, type Logger } from './log.js';
import { openDatabase, migrateToLatest, type Db } from './store/db.js';
import { createAccounts, kdfSlots, PasswordHasher, type Accounts } from './accounts/index.js';
import { createTransport } from './mail/transport.js';
import { OutboxWorker } from './mail/outbox-worker.js';
import { createHttpApp } from './http/app.js';
import { createRealtime, type Realtime } from './realtime/index.js';
import { createLimits } from './limits/index.js';
import { countedTransport, createMetrics, serverSources } from './metrics/registry.js';
import { metricsListener } from './metrics/endpoint.js';
import { hardenRawResponses } from './http/headers.js';
import { guardHosts, hostPolicy } from './http/hosts.js';
import { drainOnClose } from './http/drain.js';
import { SOCKET_PATH } from './protocol.js';
import { RetentionJob } from './retention.js';
import { resolveSecretKey, ServerKey } from './secret-key.js';
import { readTlsFiles } from './tls.js';

export interface ServerOverrides {
  clock?: Clock;
  log?: Logger;
  /** Mail retry delays; tests shorten them. */
  mailBackoffMs?: (attempt: number) => number;
  mailPollMs?: number;
  /** Rows per retention batch; tests make it small to see several batches. */
  retentionBatch?: number;
}

export interface Mux1Server {
  /** Applies migrations, starts the mail worker, and listens; resolves to the base URL. */
  listen(): Promise<string>;
  /**
   * Closes the sockets (clients see the transport close and retry), stops taking connections,
   * lets requests in flight finish, stops the worker, closes the database.
   */
  close(): Promise<void>;
  /** While close() runs: what it is waiting for, for the log when a shutdown takes too long. */
  readonly closing: string | undefined;
  /**
   * Reads TLS_CERT and TLS_KEY again and serves new connections with them; connections already
   * open keep theirs. False without TLS; throws (the old pair staying in use) when they are bad.
   */
  reloadTls(): boolean;
  readonly url: string;
  /** The separate metrics listener's URL (METRICS_PORT), else undefined. */
  readonly metricsUrl: string | undefined;
  readonly db: Db;
  readonly accounts: Accounts;
  /** Password hashing: its count of scrypt runs shows what a request cost. */
  readonly hasher: PasswordHasher;
  readonly log: Logger;
  readonly http: Server;
  readonly realtime: Realtime;
  /** Deletes ended sessions, old audit events and old mail (RETENTION_*). */
  readonly retention: RetentionJob;
}

/** Builds a whole server from its configuration; nothing runs until `listen()`. */
export function createServer(config: ServerConfig, overrides: ServerOverrides = {}): Mux1Server {
  const clock = overrides.clock ?? systemClock;
  const log = overrides.log ?? createLogger(config.logLevel);
  const db = openDatabase(config.databaseUrl, { poolMax: config.databasePoolMax });
  // Node's process metrics only when metrics are served; the counters cost nothing anyway.
  const metrics = createMetrics(
    () => sources,
    config.metricsToken !== undefined || config.metricsPort !== undefined,
  );
  const transport = countedTransport(createTransport(config.smtpUrl, log), metrics);
  const worker = new OutboxWorker({
    db,
    clock,
    log,
    transport,
    from: config.mailFrom,
    backoffMs: overrides.mailBackoffMs,
    pollMs: overrides.mailPollMs,
  });
  let url = '';
  const publicUrl = () => config.publicUrl ?? url;
  const limits = createLimits({ config, clock, log, db });
  // Loaded by listen(): without SECRET_KEY it may have to write the key file.
  const key = new ServerKey();

  const hasher = new PasswordHasher(config.scryptLogN, kdfSlots(config.threadpoolSize), config.kdfQueueMax);
  const accounts = createAccounts({
    db,
    clock,
    log,
    config,
    hasher,
    mail: {
      get publicUrl() {
        return publicUrl();
      },
      codeTtlMinutes: config.codeTtlMinutes,
    },
    mailQueued: () => {
      metrics.mailQueued();
      worker.poke();
    },
    // Late-bound, like connectedUsers below: the Socket.IO server is built after the accounts.
    sessionsEnded: (sessionIds) => {
      for (const id of sessionIds) realtime.revokeSession(id);
    },
    userSessionsEnded: (userId) => realtime.revokeUser(userId),
    limits,
    metrics,
    key,
  });

  const startedAt = Date.now();
  const app = createHttpApp({
    db,
    log,
    accounts,
    challenges: limits.challenges,
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    metrics,
    metricsSettings: config,
    startedAt,
    // Late-bound: the Socket.IO server needs the HTTP server, which needs this app.
    connectedUsers: () => realtime.connectedUsers(),
    connectedSockets: () => realtime.io.of('/').sockets.size,
    serverStatusPublic: config.serverStatusPublic,
    secureCookies: () => publicUrl().startsWith('https:'),
    publicUrl,
  });
  const tls = readTlsFiles(config);
  const http: Server = tls ? createHttpsServer(tls, app.callback()) : createHttpServer(app.callback());
  // A client that sends headers slowly must not hold a connection forever.
  http.headersTimeout = 20_000;
  http.requestTimeout = 30_000;
  const realtime = createRealtime({
    http,
    config,
    publicUrl: () => config.publicUrl,
    accounts,
    db,
    clock,
    log,
  });

  hardenRawResponses(http, SOCKET_PATH);
  const drain = drainOnClose(http);
  guardHosts(
    http,
    hostPolicy({ publicUrl: () => config.publicUrl, bindHost: config.host, allowed: config.allowedHosts }),
  );
  const sources = serverSources(db, () => realtime.io.of('/').sockets.size);
  const metricsServer = metricsListener(metrics, config, log);
  const retention = new RetentionJob({ db, clock, log, config, batch: overrides.retentionBatch });
  let metricsUrl: string | undefined;
  let closing: string | undefined;

  return {
    get url() {
      return url;
    },
    get metricsUrl() {
      return metricsUrl;
    },
    db,
    accounts,
    hasher,
    log,
    http,
    realtime,
    retention,
    async listen() {
      // After the migrations, which name a DATABASE_URL that cannot hold a database first.
      await migrateToLatest(db);
      key.load(resolveSecretKey(config, log));
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      const { address, port } = http.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      url = `${tls ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
      metricsUrl = await metricsServer.listen();
      worker.start();
      retention.start();
      log.info(
        {
          url,
          database: config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@'),
          mail: config.smtpUrl ? 'smtp' : 'development mailbox',
        },
        `mux1 listening on ${url}`,
      );
      return url;
    },
    reloadTls() {
      if (!tls) return false;
      (http as HttpsServer).setSecureContext(readTlsFiles(config)!);
      return true;
    },
    get closing() {
      return closing;
    },
    async close() {
      // Socket.IO closes its sockets, then the HTTP server, which resolves once requests in flight end.
      const closed = realtime.close();
      drain.begin();
      closing = 'the mail worker';
      await worker.stop();
      closing = 'the retention job';
      await retention.stop();
      closing = 'the sockets and requests in flight';
      await closed;
      transport.close();
      closing = 'the metrics listener';
      await metricsServer.close();
      closing = 'the rate limits store';
      await limits.close();
      closing = 'the database';
      await db.destroy();
      closing = undefined;
    },
  };
}
