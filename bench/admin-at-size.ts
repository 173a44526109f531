/**
 * Administration at size: the admin's users list and statistics on 1,000,000 accounts against
 * 1,000, in the same run, through the real REST routes of two mux1 servers in this process.
 *
 *   node --import tsx bench/admin-at-size.ts [--large 1000000] [--small 1000] [--calls 200]
 *
 * Data: each server's SQLite file gets its accounts by one set-based INSERT ... SELECT over a
 * recursive counter inside one transaction (a fixed password hash; created_at spread over the
 * last year, so daily_stats has a row a day), with the triggers of migrations 007 and 016
 * running as for any signup. Twenty accounts named `needle00`..`needle19` are spread among them,
 * so the prefix query finds the same 20 at both sizes, and one admin holds the session the
 * calls use.
 *
 * Figures (p50 of `--calls` calls each, alternating between the two servers; p95 beside it):
 * - users, first page (`GET /api/admin/users`): 1M within 1.2x of 1k.
 * - users, prefix `needle` (`?query=needle`): within 1.2x.
 * - users, a deep page (`?before=` the id a tenth of the way in): within 1.2x.
 * - stats, 30 days (`GET /api/admin/stats`): within 1.2x.
 * A ratio can pass below 1 too: at these sizes both answers are a few index reads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Db } from '../server/store/db.js';
import { startMux1, type BenchServer } from './lib/mux1.js';
import { emit } from './lib/report.js';
import { intFlag, percentile, round } from './lib/stats.js';

const TARGET = 1.2;
const DAY = 86_400_000;
const NEEDLES = 20;

/** Builds `n` accounts (ids 1..n) plus the needles and the admin; returns the admin's token. */
async function populate(db: Db, n: number): Promise<string> {
  const now = Date.now();
  const started = performance.now();
  await db.transaction(async (trx) => {
    await trx.raw(
      `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
       INSERT INTO users (username, email, password_hash, email_verified_at, created_at, last_login_at)
       SELECT 'user' || i, 'user' || i || '@bench.test', 'scrypt$fixed-bench-hash',
              CASE WHEN i % 10 = 0 THEN NULL ELSE ? - (? - i) * ? END,
              ? - (? - i) * ?, NULL
       FROM k`,
      [n, now, n, (365 * DAY) / n, now, n, (365 * DAY) / n],
    );
    // The needles take the usernames of accounts spread through the table, so they sit among
    // old and new ids alike.
    for (let j = 0; j < NEEDLES; j++) {
      const id = Math.max(1, Math.floor(((j + 0.5) * n) / NEEDLES));
      const name = `needle${String(j).padStart(2, '0')}`;
      await trx('users')
        .where({ id })
        .update({ username: name, email: `${name}@bench.test` });
    }
  });
  const token = randomBytes(32).toString('base64url');
  const [row] = await db('users')
    .insert({
      username: 'benchadmin',
      email: 'benchadmin@bench.test',
      password_hash: 'scrypt$fixed-bench-hash',
      email_verified_at: now,
      created_at: now,
      role: 'admin',
    })
    .returning('id');
  const adminId = Number(typeof row === 'object' ? row.id : row);
  await db('sessions').insert({
    id: randomBytes(16).toString('hex'),
    user_id: adminId,
    token_hash: createHash('sha256').update(token).digest('hex'),
    created_at: now,
    expires_at: now + 30 * DAY,
    last_seen_at: now,
    user_agent: 'mux1-bench',
    ip: '127.0.0.1',
  });
  await db.raw('ANALYZE');
  console.log(`  ${n.toLocaleString('en')} accounts in ${round((performance.now() - started) / 1000, 1)} s`);
  return token;
}

async function call(url: string, token: string, path: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${body.slice(0, 200)}`);
  return ms;
}

async function main(): Promise<void> {
  const large = intFlag('large', 1_000_000, 10_000_000);
  const small = intFlag('small', 1_000, 1_000_000);
  const calls = intFlag('calls', 200, 100_000);
  const servers: { size: number; server: BenchServer; token: string }[] = [];
  try {
    for (const size of [small, large]) {
      const server = await startMux1({ logN: 12 });
      servers.push({ size, server, token: await populate(server.server.db, size) });
    }
    const deep = (size: number) => Math.floor(size / 10);
    const cases: { name: string; path: (size: number) => string }[] = [
      { name: 'users, first page', path: () => '/api/admin/users' },
      { name: 'users, prefix "needle"', path: () => '/api/admin/users?query=needle' },
      { name: 'users, deep page (before)', path: (size) => `/api/admin/users?before=${deep(size)}` },
      { name: 'stats, 30 days', path: () => '/api/admin/stats?days=30' },
    ];
    let figure = 1;
    let allPass = true;
    for (const c of cases) {
      const times = servers.map(() => [] as number[]);
      // Warm both (the first calls read pages from disk), then alternate.
      for (const [i, s] of servers.entries())
        for (let k = 0; k < 10; k++) await call(s.server.url, s.token, c.path(servers[i]!.size));
      for (let k = 0; k < calls; k++) {
        for (const [i, s] of servers.entries())
          times[i]!.push(await call(s.server.url, s.token, c.path(s.size)));
      }
      const [smallTimes, largeTimes] = times.map((t) => t.sort((a, b) => a - b)) as [number[], number[]];
      const p50Small = percentile(smallTimes, 0.5);
      const p50Large = percentile(largeTimes, 0.5);
      const ratio = p50Large / p50Small;
      const pass = ratio <= TARGET;
      allPass &&= pass;
      console.log(
        `${c.name}: p50 ${round(p50Large)} ms on ${large.toLocaleString('en')} accounts, ${round(p50Small)} ms on ` +
          `${small.toLocaleString('en')}; ratio ${round(ratio)} (target <= ${TARGET}) ${pass ? 'PASS' : 'FAIL'}` +
          `  [p95 ${round(percentile(largeTimes, 0.95))} / ${round(percentile(smallTimes, 0.95))} ms]`,
      );
      emit({
        id: `admin-at-size-${figure}`,
        figure: figure++,
        name: `admin ${c.name}, ${large.toLocaleString('en')} accounts vs ${small.toLocaleString('en')}`,
        unit: 'ms p50',
        value: round(p50Large),
        baseline: round(p50Small),
        baselineName: `${small.toLocaleString('en')} accounts`,
        ratio: round(ratio),
        ratioOf: 'large/small',
        target: `ratio <= ${TARGET}`,
        pass,
        detail: {
          calls,
          p95Large: round(percentile(largeTimes, 0.95)),
          p95Small: round(percentile(smallTimes, 0.95)),
        },
      });
    }
    if (!allPass) process.exitCode = 1;
  } finally {
    for (const s of servers) await s.server.close();
  }
}

await main();
