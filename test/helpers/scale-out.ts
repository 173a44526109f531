import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { machineRedisUrl, testRedisPrefix } from './redis.js';
import { freePort } from './ports.js';
import { startSmtp, type TestSmtp } from './smtp.js';
import { startCliServer, type CliServer } from './cli-server.js';

export interface ScaleOut {
  /** Two `mux1 server` processes (the built CLI) on one PostgreSQL database and one Redis. */
  a: CliServer;
  b: CliServer;
  db: TestDatabase;
  smtp: TestSmtp;
  redisUrl: string;
  prefix: string;
  /** Lines a server logged with this `msg`, parsed (the CLI logs JSON lines off a terminal). */
  logged(server: CliServer, msg: string | RegExp): Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * Starts two server processes the way an operator runs them behind a load balancer: the same
 * DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX and CHALLENGE_SECRET, each on its own port. Both
 * start at the same moment on the new, empty database, as two replicas of a compose service do.
 */
export async function startScaleOut(
  options: { redisUrl?: string; smtpDelayMs?: number } = {},
): Promise<ScaleOut> {
  const db = await createTestDatabase();
  const smtp = await startSmtp(0, { delayMs: options.smtpDelayMs });
  const redisUrl = options.redisUrl ?? machineRedisUrl;
  const prefix = testRedisPrefix();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    SMTP_URL: smtp.url,
    // Proof-of-work solutions must check out on either process; cheap ones keep the tests quick.
    CHALLENGE_SECRET: randomBytes(24).toString('hex'),
    CHALLENGE_MAX_NUMBER: '1000',
    // The tests read connected_users from either process without signing in.
    SERVER_STATUS_PUBLIC: '1',
    // Both processes must open the two-factor secrets the other sealed.
    SECRET_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'info',
  };
  const started = await Promise.allSettled([startCliServer(env), startCliServer(env)]);
  const [a, b] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  if (!a || !b) {
    await Promise.all([a?.cleanup(), b?.cleanup(), smtp.close()]);
    await db.drop();
    const failure = started.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    throw failure.reason;
  }
  const logged = (server: CliServer, msg: string | RegExp) =>
    server.stdout.flatMap((line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        const text = String(entry.msg ?? '');
        return (typeof msg === 'string' ? text === msg : msg.test(text)) ? [entry] : [];
      } catch {
        return [];
      }
    });
  return {
    a,
    b,
    db,
    smtp,
    redisUrl,
    prefix,
    logged,
    async stop() {
      await Promise.all([a.stop().catch(() => null), b.stop().catch(() => null)]);
      await Promise.all([a.cleanup(), b.cleanup(), smtp.close()]);
      await db.drop();
    },
  };
}

/** True when `redis-server` is on PATH, so a test can run a Redis of its own. */
export const haveRedisServer = (): boolean => spawnSync('redis-server', ['--version']).status === 0;

export interface OwnRedis {
  url: string;
  port: number;
  /** Kills it at once (SIGKILL): an outage, not a shutdown. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (it keeps nothing on disk). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Redis server of the test's own on a free loopback port, that the test may kill: the
 * machine's Redis is shared and is never stopped.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitForPort(port, 5000);
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: start, stop: kill };
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on port ${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}
