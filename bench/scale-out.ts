/**
 * Scale-out: chat fan-out latency and messages/s with one mux1 process, and with two processes
 * behind the Socket.IO Redis adapter, in the same run, on the same PostgreSQL (a database of the
 * bench's own) and the same load. The ratio says what spreading the sockets over two processes
 * costs or gains on this machine; on two cores the two servers, the clients, PostgreSQL and
 * Redis all share the same CPUs, so read it as the adapter's overhead, not as capacity.
 *
 *   node --import tsx bench/scale-out.ts [--clients 1000] [--rounds 40] [--repeat 2]
 *
 * - Fan-out: a message into the lobby, where every socket is, sent from a socket on the first
 *   server; p50/p99 of send-to-delivery over every socket. With two servers half the sockets
 *   are on the second one, reached through Redis.
 * - Messages/s: every socket sends a burst of 10 into a room of 10 sockets, half of them in each
 *   client process (and so, with two servers, on each server); accepted messages per second
 *   until the last delivery.
 *
 * Servers and clients run in child processes (bench/load/scale-out.ts); one-process and
 * two-process runs alternate `--repeat` times and each figure is the median. Everything stays on
 * loopback, counts are capped and every wait has a deadline.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { seedUsers, startMux1, tokensFor } from './lib/mux1.js';
import { emit } from './lib/report.js';
import { forkRole, type Child } from './lib/rpc.js';
import { intFlag, median, percentile, round, sleep, sum } from './lib/stats.js';
import { BURST, ROOM_SIZE } from './load/scale-out.js';

const roles = new URL('./load/scale-out.ts', import.meta.url).href;
const ADMIN_URL = process.env.MUX1_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.MUX1_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET_KEY = randomBytes(32).toString('base64');
const WARMUP_ROUNDS = 5;
const ROUND_DEADLINE_MS = 10_000;
const USERS = 100;

interface Run {
  p50: number;
  p99: number;
  lost: number;
  messagesPerS: number;
  refused: number;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts `count` mux1 server processes on the database; with two, they share Redis under one prefix. */
async function startServers(count: number, databaseUrl: string): Promise<{ urls: string[]; stop(): void }> {
  const prefix = `mux1bench:${randomBytes(4).toString('hex')}:`;
  // Every process must hold the same server key (PostgreSQL has no key file).
  const env: Record<string, string> = { DATABASE_URL: databaseUrl, SECRET_KEY };
  if (count > 1) Object.assign(env, { REDIS_URL, REDIS_KEY_PREFIX: prefix });
  const procs: Child[] = Array.from({ length: count }, () => forkRole(roles, 'scale-out-server'));
  try {
    const started = await Promise.all(procs.map((p) => p.call<{ url: string }>('start', { env }, 60_000)));
    return { urls: started.map((s) => s.url), stop: () => procs.forEach((p) => p.kill()) };
  } catch (err) {
    procs.forEach((p) => p.kill());
    throw err;
  }
}

async function measure(urls: string[], tokens: string[], sockets: number, rounds: number): Promise<Run> {
  // Two client processes, each with half the sockets; client process i talks to server i (mod servers).
  const clients = [0, 1].map(() => forkRole(roles, 'scale-out-clients'));
  try {
    await Promise.all(
      clients.map((c, i) =>
        c.call('connect', { url: urls[i % urls.length], tokens, count: sockets / 2 }, 120_000),
      ),
    );
    await sleep(1000); // presence settles, connection bursts end

    let lost = 0;
    for (let r = 0; r < WARMUP_ROUNDS + rounds; r++) {
      const arrived = clients.map((c) =>
        c.call<number>('waitRound', { round: r, timeoutMs: ROUND_DEADLINE_MS }, ROUND_DEADLINE_MS + 5000),
      );
      await clients[0]!.call('send', { round: r });
      const missing = sum(await Promise.all(arrived));
      if (r >= WARMUP_ROUNDS) lost += missing;
      await sleep(20);
    }
    const latencies = (
      await Promise.all(clients.map((c) => c.call<number[]>('latencies', { from: WARMUP_ROUNDS })))
    )
      .flat()
      .sort((a, b) => a - b);

    await Promise.all(clients.map((c) => c.call('join', {}, 60_000)));
    await sleep(1200); // the joins' budgets refill before the burst
    const startedAt = await clients[0]!.call<number>('now');
    const bursts = await Promise.all(
      clients.map((c) => c.call<{ accepted: number; refused: number }>('burst', {}, 90_000)),
    );
    const owed = sum(bursts.map((b) => b.accepted)) * ROOM_SIZE;
    const deadline = Date.now() + 60_000;
    let done: { deliveries: number; lastDeliveryAt: number }[] = [];
    for (;;) {
      done = await Promise.all(
        clients.map((c) => c.call<{ deliveries: number; lastDeliveryAt: number }>('deliveries')),
      );
      if (sum(done.map((d) => d.deliveries)) >= owed) break;
      if (Date.now() > deadline)
        throw new Error(`burst: ${sum(done.map((d) => d.deliveries))} of ${owed} delivered`);
      await sleep(20);
    }
    const seconds = (Math.max(...done.map((d) => d.lastDeliveryAt)) - startedAt) / 1000;
    await Promise.all(clients.map((c) => c.call('disconnect')));
    return {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      lost,
      messagesPerS: sum(bursts.map((b) => b.accepted)) / seconds,
      refused: sum(bursts.map((b) => b.refused)),
    };
  } finally {
    clients.forEach((c) => c.kill());
  }
}

async function main(): Promise<void> {
  const sockets = 2 * Math.ceil(intFlag('clients', 1000, 4000) / ROOM_SIZE) * (ROOM_SIZE / 2);
  const rounds = intFlag('rounds', 40, 300);
  const repeat = intFlag('repeat', 2, 5);

  const database = `mux1_bench_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${database}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  try {
    // Accounts and tokens once, through the accounts rules, on the database every run uses.
    const seeder = await startMux1({ logN: 10, env: { DATABASE_URL: databaseUrl, SECRET_KEY } });
    let tokens: string[];
    try {
      tokens = await tokensFor(seeder.server, await seedUsers(seeder.server, USERS, 'scale'));
    } finally {
      await seeder.close();
    }

    const runs: Record<'one' | 'two', Run[]> = { one: [], two: [] };
    for (let i = 0; i < repeat; i++) {
      for (const [mode, count] of [
        ['one', 1],
        ['two', 2],
      ] as const) {
        const servers = await startServers(count, databaseUrl);
        try {
          runs[mode].push(await measure(servers.urls, tokens, sockets, rounds));
        } finally {
          servers.stop();
        }
        await sleep(500);
      }
    }

    const pick = (mode: 'one' | 'two', f: (r: Run) => number) => median(runs[mode].map(f));
    const one = {
      p50: pick('one', (r) => r.p50),
      p99: pick('one', (r) => r.p99),
      mps: pick('one', (r) => r.messagesPerS),
    };
    const two = {
      p50: pick('two', (r) => r.p50),
      p99: pick('two', (r) => r.p99),
      mps: pick('two', (r) => r.messagesPerS),
    };
    const lost = Math.max(...runs.two.map((r) => r.lost), ...runs.one.map((r) => r.lost));
    const detail = {
      sockets,
      users: USERS,
      rounds,
      repeat,
      roomSize: ROOM_SIZE,
      burstPerSocket: BURST,
      p50: { one: round(one.p50, 1), two: round(two.p50, 1) },
      p99Runs: { one: runs.one.map((r) => round(r.p99, 1)), two: runs.two.map((r) => round(r.p99, 1)) },
      messagesPerSRuns: {
        one: runs.one.map((r) => round(r.messagesPerS, 0)),
        two: runs.two.map((r) => round(r.messagesPerS, 0)),
      },
      refused: {
        one: Math.max(...runs.one.map((r) => r.refused)),
        two: Math.max(...runs.two.map((r) => r.refused)),
      },
      lost: { one: Math.max(...runs.one.map((r) => r.lost)), two: Math.max(...runs.two.map((r) => r.lost)) },
    };
    console.log(
      `scale-out, ${sockets} sockets: fan-out p50/p99 one process ${one.p50.toFixed(1)}/${one.p99.toFixed(1)} ms, ` +
        `two processes ${two.p50.toFixed(1)}/${two.p99.toFixed(1)} ms; messages/s one ${one.mps.toFixed(0)}, ` +
        `two ${two.mps.toFixed(0)}; lost ${lost}; ${JSON.stringify(detail)}`,
    );
    emit({
      id: 'scale-out-fanout-p99',
      figure: 9,
      name: `Fan-out to ${sockets} sockets over two processes (Redis adapter), p99 (${lost} lost)`,
      unit: 'ms',
      value: round(two.p99, 1),
      baseline: round(one.p99, 1),
      baselineName: 'one process',
      ratio: round(one.p99 / two.p99),
      ratioOf: 'one/two',
      target: '0 lost',
      pass: lost === 0,
      detail,
    });
    emit({
      id: 'scale-out-messages-per-s',
      figure: 9,
      name: `Messages/s, rooms of ${ROOM_SIZE} across two processes (Redis adapter)`,
      unit: 'msg/s',
      value: round(two.mps, 0),
      baseline: round(one.mps, 0),
      baselineName: 'one process',
      ratio: round(two.mps / one.mps),
      ratioOf: 'two/one',
      target: '-',
      pass: null,
    });
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`scale-out: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
