/**
 * A mux1 server at the product's scrypt cost (logN 17, r 8, p 1) with a pool of verified
 * accounts to log in, for the login benches.
 *
 * Seeding at logN 17 would cost a full hash per account, so the accounts are made on a cheap
 * server over the same database file, then all given one logN 17 hash of a shared password
 * (made with mux1's own PasswordHasher, so the stored format is the server's), and the real
 * server starts over that file. The pool is larger than any concurrency used, and requests take
 * the accounts in turn, so no account has two logins in flight: the per-account lockout, which
 * claims a slot per attempt, never comes into play.
 *
 * Each account logs in from an address of its own (X-Forwarded-For 127.0.1.N, with TRUST_PROXY
 * on, as behind a load balancer): a login storm is many people, and the per-address budget of
 * failed logins counts an attempt as failed until it succeeds, so eight logins in flight from
 * one address would be asked for a proof-of-work challenge.
 */
import { rmSync } from 'node:fs';
import * as scryptModule from 'scrypt-kdf';
import { PasswordHasher } from '../../server/accounts/index.js';
import { seedUsers, startMux1, type BenchServer } from './mux1.js';

// scrypt-kdf's runtime export is a default class, while its .d.ts declares named functions.
const scrypt = (scryptModule as unknown as { default: typeof scryptModule }).default;

export const LOG_N = 17;
const PASSWORD = 'bench-shared-password-lantern-orbit';

export interface LoginPool {
  mux1: BenchServer;
  /** POST /api/login bodies, one per account, each from its own address (see above). */
  variants: { body: string; headers: Record<string, string> }[];
  /** One raw scrypt-kdf verify with the same hash and password as a login. */
  verifyOnce(): Promise<boolean>;
  close(): Promise<void>;
}

export async function startLoginPool(accounts: number): Promise<LoginPool> {
  const seeder = await startMux1({ logN: 10 });
  const dir = seeder.dir;
  const users = await seedUsers(seeder.server, accounts, 'login');
  const hash = await new PasswordHasher(LOG_N).hash(PASSWORD);
  await seeder.server.db('users').update({ password_hash: hash });
  await seeder.server.close();

  const mux1 = await startMux1({ logN: LOG_N, dir, env: { TRUST_PROXY: '1' } });
  const raw = Buffer.from(hash, 'base64');
  return {
    mux1,
    variants: users.map((u, i) => ({
      body: JSON.stringify({ username: u.username, password: PASSWORD }),
      headers: { 'x-forwarded-for': `127.0.1.${i + 1}` },
    })),
    verifyOnce: () => scrypt.verify(raw, PASSWORD),
    async close() {
      await mux1.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Raw scrypt-kdf verifies/s with `inFlight` verifies always running, counted in a window that
 * opens after `warmupS`, as the HTTP load counts logins.
 */
export async function rawVerifyRate(
  pool: LoginPool,
  inFlight: number,
  warmupS: number,
  measureS: number,
): Promise<number> {
  const start = performance.now();
  const opens = start + warmupS * 1000;
  const closes = opens + measureS * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < closes) {
      if (!(await pool.verifyOnce())) throw new Error('the raw verify failed');
      const t = performance.now();
      if (t >= opens && t <= closes) done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return done / measureS;
}
