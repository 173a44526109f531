/**
 * Chat fan-out and throughput: mux1 beside a bare Socket.IO broadcast server, measured in the
 * same run on the same machine, so the ratio says what mux1's work (auth, validation, limits,
 * storing every message before it is sent) costs.
 *
 *   node --import tsx bench/chat-fanout.ts [--clients 1000] [--rounds 50] [--repeat 3]
 *
 * The servers run in this process; the clients run in a child process, so the two do not share
 * an event loop. Everything stays on 127.0.0.1. Counts are capped and every wait has a deadline.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { loadServerConfig } from '../config/index.js';
import { createServer, type Mux1Server } from '../server/main.js';
import { createLogger } from '../server/log.js';

const MAX_CLIENTS = 2000;
const MAX_ROUNDS = 500;
/** Messages each socket sends in the throughput phase: one burst, inside mux1's per-socket budget. */
const BURST = 10;
/** Sockets per room in the throughput phase, so each message is delivered to this many. */
const GROUP = 10;
const CHILD_DEADLINE_MS = 180_000;
const STEP_DEADLINE_MS = 30_000;
/** Fan-out rounds run first and not counted, so neither side is measured while still warming up. */
const WARMUP_ROUNDS = 5;

interface Job {
  url: string;
  tokens: string[];
  clients: number;
  rounds: number;
}

interface Result {
  connectS: number;
  fanoutP50: number;
  fanoutP99: number;
  fanoutMissing: number;
  messagesPerS: number;
  deliveriesPerS: number;
  refused: number;
}

// ---------------------------------------------------------------------------------------------
// Client side (child process)

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function runClients(job: Job): Promise<Result> {
  const host = new URL(job.url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error('the bench only talks to loopback');

  // Connect in batches, as a crowd arriving rather than a single instant.
  const started = performance.now();
  const sockets: Socket[] = [];
  for (let i = 0; i < job.clients; i += 100) {
    const batch = Array.from({ length: Math.min(100, job.clients - i) }, (_, k) => {
      const token = job.tokens.length > 0 ? job.tokens[(i + k) % job.tokens.length] : undefined;
      const socket = io(job.url, {
        forceNew: true,
        reconnection: false,
        transports: ['websocket'],
        auth: token ? { token } : {},
      });
      sockets.push(socket);
      return new Promise<void>((resolve, reject) => {
        socket.once('connected', () => resolve());
        socket.once('connect_error', reject);
      });
    });
    await deadline(Promise.all(batch), STEP_DEADLINE_MS, 'connect');
  }
  const connectS = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 500)); // let presence settle

  // Fan-out: one message at a time to everyone in the lobby; latency per recipient.
  const samples: number[] = [];
  let fanoutMissing = 0;
  let round = -1;
  let sentAt = 0;
  let received = 0;
  let roundDone: () => void = () => {};
  for (const socket of sockets) {
    socket.on('message', (m: { text: string }) => {
      if (m.text !== `fanout ${round}`) return;
      if (round >= WARMUP_ROUNDS) samples.push(performance.now() - sentAt);
      if (++received === sockets.length) roundDone();
    });
  }
  for (let r = 0; r < WARMUP_ROUNDS + job.rounds; r++) {
    round = r;
    received = 0;
    const done = new Promise<void>((resolve) => (roundDone = resolve));
    sentAt = performance.now();
    // A different sender each round, so no socket nears its message budget.
    sockets[r % sockets.length]!.emit('message', { room: 'lobby', text: `fanout ${r}` });
    await deadline(done, 10_000, `fan-out round ${r}`).catch(() => {
      fanoutMissing += sockets.length - received;
    });
    await new Promise((res) => setTimeout(res, 20));
  }
  round = -1;
  samples.sort((a, b) => a - b);

  // Throughput: rooms of GROUP sockets; every socket sends a burst into its room at once.
  for (const [i, socket] of sockets.entries()) {
    socket.emit('join', { room: `t${Math.floor(i / GROUP)}` }, () => {});
  }
  await new Promise((r) => setTimeout(r, 1200)); // joins land, message budgets refill
  // Each accepted message is owed to every socket of its room; the last room may be smaller.
  const roomSize = (i: number) => Math.min(GROUP, sockets.length - Math.floor(i / GROUP) * GROUP);
  let deliveries = 0;
  let owed = 0;
  let refused = 0;
  for (const socket of sockets) {
    socket.on('message', (m: { text: string }) => {
      if (m.text.startsWith('burst ')) deliveries++;
    });
  }
  const t0 = performance.now();
  const acks = sockets.flatMap((socket, i) =>
    Array.from(
      { length: BURST },
      (_, k) =>
        new Promise<void>((resolve) =>
          socket.emit(
            'message',
            { room: `t${Math.floor(i / GROUP)}`, text: `burst ${i}.${k}` },
            (ack: any) => {
              if (ack?.ok) owed += roomSize(i);
              else refused++;
              resolve();
            },
          ),
        ),
    ),
  );
  await deadline(Promise.all(acks), STEP_DEADLINE_MS, 'throughput acks');
  await deadline(
    waitFor(() => deliveries >= owed),
    STEP_DEADLINE_MS,
    'throughput deliveries',
  );
  const accepted = sockets.length * BURST - refused;
  const seconds = (performance.now() - t0) / 1000;

  for (const socket of sockets) socket.disconnect();
  return {
    connectS,
    fanoutP50: percentile(samples, 0.5),
    fanoutP99: percentile(samples, 0.99),
    fanoutMissing,
    messagesPerS: accepted / seconds,
    deliveriesPerS: deliveries / seconds,
    refused,
  };
}

function waitFor(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const tick = () => (check() ? resolve() : setTimeout(tick, 5));
    tick();
  });
}

// ---------------------------------------------------------------------------------------------
// Server side (this process)

/** The baseline: Socket.IO with nothing but rooms and a broadcast. */
async function startBare(): Promise<{ url: string; close(): Promise<void> }> {
  const http = createHttpServer();
  const server = new Server(http, { serveClient: false });
  server.on('connection', (socket) => {
    socket.join('lobby');
    socket.emit('connected', { message: 'hi', sid: socket.id, user: null, recovered: false });
    socket.on('join', ({ room }: { room: string }, ack?: (r: object) => void) => {
      socket.join(room);
      ack?.({ ok: true, room });
    });
    socket.on('message', ({ room, text }: { room: string; text: string }, ack?: (r: object) => void) => {
      server.to(room).emit('message', { id: 0, room, user: null, text, ts: Date.now() });
      ack?.({ ok: true, id: 0 });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

async function startMux1(
  clients: number,
): Promise<{ url: string; tokens: string[]; server: Mux1Server; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mux1-bench-'));
  const config = loadServerConfig({
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: join(dir, 'bench.sqlite'),
      SCRYPT_LOG_N: '10',
      LOG_LEVEL: 'silent',
      LIMIT_SIGNUPS_PER_10MIN: '100000',
      // Every bench socket comes from 127.0.0.1.
      LIMIT_SOCKETS_PER_ADDRESS: process.env.LIMIT_SOCKETS_PER_ADDRESS ?? String(clients + 100),
    },
  });
  const server = createServer(config, { log: createLogger('silent') });
  const url = await server.listen();
  // A hundred people with several sockets each: presence stays per user, as in real use.
  const users = Math.min(100, clients);
  const meta = { ip: '127.0.0.1', userAgent: 'mux1-bench' };
  const tokens: string[] = [];
  for (let i = 0; i < users; i++) {
    const username = `bench${i}`;
    const email = `${username}@bench.test`;
    const password = `bench-password-${i}-long`;
    await server.accounts.signup({ username, email, password }, meta);
    await server.db('users').where({ username }).update({ email_verified_at: Date.now() });
    tokens.push((await server.accounts.login({ username, password }, meta)).token);
  }
  return {
    url,
    tokens,
    server,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function runChild(job: Job): Promise<Result> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, MUX1_BENCH_ROLE: 'clients' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<Result>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`clients did not finish within ${CHILD_DEADLINE_MS / 1000} s`));
    }, CHILD_DEADLINE_MS);
    child.once('message', (msg: { result?: Result; error?: string }) => {
      clearTimeout(timer);
      if (msg.result) resolve(msg.result);
      else reject(new Error(msg.error ?? 'clients failed'));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`clients exited with ${code}`));
    });
    child.send(job);
  });
}

function flag(name: string, fallback: number, max: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number >= 1`);
  return Math.min(value, max);
}

/** Per metric, the median of several runs: on a small machine one run swings by a third. */
function median(results: Result[]): Result {
  const mid = (pick: (r: Result) => number) => {
    const sorted = results.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return {
    connectS: mid((r) => r.connectS),
    fanoutP50: mid((r) => r.fanoutP50),
    fanoutP99: mid((r) => r.fanoutP99),
    fanoutMissing: Math.max(...results.map((r) => r.fanoutMissing)),
    messagesPerS: mid((r) => r.messagesPerS),
    deliveriesPerS: mid((r) => r.deliveriesPerS),
    refused: Math.max(...results.map((r) => r.refused)),
  };
}

async function main(): Promise<void> {
  const clients = flag('clients', 1000, MAX_CLIENTS);
  const rounds = flag('rounds', 50, MAX_ROUNDS);
  const repeat = flag('repeat', 3, 9);

  const bareRuns: Result[] = [];
  const mux1Runs: Result[] = [];
  let stored = 0;
  // Alternate the two, so drift on the machine touches both alike.
  for (let i = 0; i < repeat; i++) {
    const bare = await startBare();
    try {
      bareRuns.push(await runChild({ url: bare.url, tokens: [], clients, rounds }));
    } finally {
      await bare.close();
    }
    const mux1 = await startMux1(clients);
    try {
      mux1Runs.push(await runChild({ url: mux1.url, tokens: mux1.tokens, clients, rounds }));
      stored = Number((await mux1.server.db('messages').count({ n: '*' }))[0]!.n);
    } finally {
      await mux1.close();
    }
  }
  const baseline = median(bareRuns);
  const measured = median(mux1Runs);

  const rows: [string, number, number, number][] = [
    [`fan-out p50, 1 message to ${clients} sockets (ms)`, baseline.fanoutP50, measured.fanoutP50, 2],
    [`fan-out p99 (ms)`, baseline.fanoutP99, measured.fanoutP99, 2],
    [`messages/s stored + delivered (rooms of ${GROUP})`, baseline.messagesPerS, measured.messagesPerS, 0],
    ['deliveries/s', baseline.deliveriesPerS, measured.deliveriesPerS, 0],
    [`connect ${clients} sockets (s)`, baseline.connectS, measured.connectS, 2],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  const cell = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : '-').padStart(12);
  const lines = [
    `chat fan-out: ${clients} sockets, ${rounds} rounds, median of ${repeat} runs, Node ${process.version}, ` +
      `${cpus().length} CPUs (servers here, clients in a child process, loopback)`,
    `${'metric'.padEnd(w)} ${'socket.io'.padStart(12)} ${'mux1'.padStart(12)} ${'mux1/bare'.padStart(10)}`,
    ...rows.map(
      ([name, b, m, d]) => `${name.padEnd(w)} ${cell(b, d)} ${cell(m, d)} ${(m / b).toFixed(2).padStart(10)}`,
    ),
    `mux1 stored ${stored} messages per run; refused in the burst: ${measured.refused}; ` +
      `fan-out deliveries missing: bare ${baseline.fanoutMissing}, mux1 ${measured.fanoutMissing}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

if (process.env.MUX1_BENCH_ROLE === 'clients') {
  const kill = setTimeout(() => process.exit(3), CHILD_DEADLINE_MS);
  kill.unref();
  process.once('message', (job: Job) => {
    runClients(job).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (err: Error) => process.send!({ error: err.message }, () => process.exit(1)),
    );
  });
} else {
  main().catch((err: Error) => {
    process.stderr.write(`chat-fanout: ${err.message}\n`);
    process.exit(1);
  });
}
