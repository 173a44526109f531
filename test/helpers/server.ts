import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadServerConfig, type ServerConfig } from '../../config/index.js';
import { createServer, type Mux1Server, type ServerOverrides } from '../../server/main.js';
import { createLogger } from '../../server/log.js';
import { testDatabaseFor, testsUsePostgres } from './postgres.js';
import { testRedisEnv } from './redis.js';
import { CHALLENGE_HEADER } from '../../server/protocol.js';
import { isChallengeRequired, solveChallenge } from '../../tui/client/challenge.js';

export interface TestServer {
  url: string;
  server: Mux1Server;
  config: ServerConfig;
  dir: string;
  /** The SQLite file; unused when the run is on PostgreSQL (see `database`). */
  dbFile: string;
  /** 'sqlite', or 'postgres' when MUX1_TEST_DATABASE=postgres gave this server its own database. */
  database: 'sqlite' | 'postgres';
  /** Every log line the server wrote, for tests that check what is (not) logged. */
  logs: string[];
  /** Stops the server and keeps its folder, for a test that reads the files a stopped server left. */
  stop(): Promise<void>;
  /** Stops the server and removes its folder (unless the caller gave the folder). */
  close(): Promise<void>;
}

const serverKeys = new Map<string, string>();
/** The SECRET_KEY of the servers on one PostgreSQL test database, made on first use. */
function serverKeyFor(databaseUrl: string): string {
  let key = serverKeys.get(databaseUrl);
  if (!key) serverKeys.set(databaseUrl, (key = randomBytes(32).toString('base64')));
  return key;
}

/**
 * A whole mux1 server on an ephemeral loopback port over a fresh SQLite file, or, when the run
 * sets MUX1_TEST_DATABASE=postgres, over a PostgreSQL database of its own (see testDatabaseFor).
 * scrypt runs at the lowest cost the settings allow so suites stay fast; the rules under test
 * are unchanged.
 */
export async function startTestServer(
  options: { env?: Record<string, string>; overrides?: ServerOverrides; dir?: string } = {},
): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mux1-test-'));
  const dbFile = join(dir, 'mux1.sqlite');
  const pg =
    testsUsePostgres() && !options.env?.DATABASE_URL ? await testDatabaseFor(options.dir) : undefined;
  const config = loadServerConfig({
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: pg?.url ?? dbFile,
      SCRYPT_LOG_N: '10',
      // Proof-of-work challenges cost milliseconds instead of a second; the rules are unchanged.
      CHALLENGE_MAX_NUMBER: '1000',
      LOG_LEVEL: 'debug',
      // PostgreSQL needs the server key set; SQLite makes its own beside the database file. One
      // key per database, so a server restarted on it reads what the last one sealed and keyed.
      ...(pg ? { SECRET_KEY: serverKeyFor(pg.url) } : {}),
      ...testRedisEnv(),
      ...options.env,
    },
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const server = createServer(config, { log: createLogger(config.logLevel, sink), ...options.overrides });
  let url: string;
  try {
    url = await server.listen();
  } catch (err) {
    await pg?.drop();
    throw err;
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      await server.close();
    } finally {
      await pg?.drop();
    }
  };
  return {
    url,
    server,
    config,
    dir,
    dbFile,
    database: pg ? 'postgres' : 'sqlite',
    logs,
    stop,
    async close() {
      await stop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * fetch with a JSON body, returning status, headers and the parsed body. A 428 that asks for a
 * proof-of-work challenge is solved and the request sent again, as the CLI and the page do;
 * `rawApi` returns the 428 itself.
 */
export async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await rawApi(base, method, path, body, headers);
  if (res.status !== 428 || !isChallengeRequired(res.body)) return res;
  const solved = await solveChallenge(res.body.challenge);
  return rawApi(base, method, path, body, { ...headers, [CHALLENGE_HEADER]: solved });
}

/** fetch with a JSON body, returning status, headers and the parsed body. */
export async function rawApi(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the raw text is the body
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
