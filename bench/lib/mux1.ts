/**
 * mux1 as the benches run it: in this process, on an ephemeral loopback port, over a SQLite file
 * in a temp folder, with every abuse limit raised out of the way (the benches measure speed from
 * one address, not the limits), and silent logs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerConfig, settings } from '../../config/index.js';
import { createLogger } from '../../server/log.js';
import { createServer, type Mux1Server } from '../../server/main.js';

export interface BenchServer {
  url: string;
  server: Mux1Server;
  dir: string;
  close(): Promise<void>;
}

/** Every LIMIT_* setting at the highest value its schema accepts, new limits included. */
export function generousLimits(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const setting of Object.values(settings)) {
    if (!setting.env.startsWith('LIMIT_')) continue;
    const value = ['1000000', '100000', '10000', '1000'].find((v) => setting.schema.safeParse(v).success);
    if (value) env[setting.env] = value;
  }
  return env;
}

/**
 * Starts mux1. `dir` reuses a folder (and its database) from an earlier server; it is then left
 * for the caller to remove. `logN` is the scrypt cost (the product's default is 17).
 */
export async function startMux1(
  options: { logN?: number; env?: Record<string, string>; dir?: string } = {},
): Promise<BenchServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mux1-bench-'));
  const config = loadServerConfig({
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: join(dir, 'bench.sqlite'),
      SCRYPT_LOG_N: String(options.logN ?? 17),
      LOG_LEVEL: 'silent',
      ...generousLimits(),
      ...options.env,
    },
  });
  const server = createServer(config, { log: createLogger('silent') });
  const url = await server.listen();
  return {
    url,
    server,
    dir,
    async close() {
      await server.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BenchUser {
  username: string;
  email: string;
  password: string;
}

const meta = { ip: '127.0.0.1', userAgent: 'mux1-bench' };

/**
 * `count` verified accounts through the accounts rules (the verification mail is skipped: the
 * row is marked verified directly). Each signup hashes at the server's scrypt cost, so seed on a
 * cheap server and use `setPasswordHash` when the bench needs the real cost.
 */
export async function seedUsers(server: Mux1Server, count: number, prefix = 'bench'): Promise<BenchUser[]> {
  const made: BenchUser[] = [];
  for (let i = 0; i < count; i++) {
    const username = `${prefix}${i}`;
    const user = { username, email: `${username}@bench.test`, password: `bench-password-${i}-lantern` };
    await server.accounts.signup(user, meta);
    made.push(user);
  }
  await server
    .db('users')
    .whereIn(
      'username',
      made.map((u) => u.username),
    )
    .update({ email_verified_at: Date.now() });
  return made;
}

/** Logs each user in once and returns their bearer tokens. */
export async function tokensFor(server: Mux1Server, users: BenchUser[]): Promise<string[]> {
  const tokens: string[] = [];
  for (const u of users) {
    const login = await server.accounts.login(u, meta);
    if (!('token' in login)) throw new Error(`${u.username} has two-factor sign-in on`);
    tokens.push(login.token);
  }
  return tokens;
}
