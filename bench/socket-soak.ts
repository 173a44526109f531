/**
 * Figure 10, socket churn soak: the server's RSS over time while 12 clients loop - connect,
 * join a room, send three messages, read history, leave, disconnect - beside 200 long-lived
 * sockets. It must level off: memory kept per dropped socket (as Socket.IO's connection state
 * recovery kept every dropped socket's packets) shows as a climb that does not stop. The same
 * load against a bare Socket.IO server (rooms, a broadcast, no storage) runs in the same run as
 * the baseline, or, with `--baseline start`, the RSS mux1 started the load at.
 *
 *   node --import tsx bench/socket-soak.ts [--duration 60] [--churners 12] [--idle 200] [--baseline bare|start]
 *
 * `--duration` is seconds per server (the default 60 s levels off the same way 240 s does here;
 * run 240 for the long view). Each server runs alone in a child process, its RSS sampled right
 * after a full collection; the clients run in another process.
 * The verdict compares the last quarter of the run with its second quarter (the first quarter
 * is warm-up): levelled off when it grew by at most 5% or 10 MB, whichever is more.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { seedUsers, startMux1, tokensFor } from './lib/mux1.js';
import { emit } from './lib/report.js';
import { forkRole, isRole, serveRole } from './lib/rpc.js';
import { assertLoopback, intFlag, round, sleep } from './lib/stats.js';

const MB = 1024 * 1024;
const ROOMS = 4;
const LEVEL_SHARE = 0.05;
const LEVEL_MB = 10;

type Kind = 'mux1' | 'bare';

// ---------------------------------------------------------------------------------------------
// Server side (child process)

let stopServer = async (): Promise<void> => {};

async function startServer({
  kind,
  idle,
  churners,
}: {
  kind: Kind;
  idle: number;
  churners: number;
}): Promise<{ url: string; idleTokens: string[]; churnTokens: string[] }> {
  if (kind === 'mux1') {
    const mux1 = await startMux1({ logN: 10 });
    stopServer = () => mux1.close();
    // The churners are people of their own, so each arrival and departure changes the lobby's
    // presence list, which every long-lived socket hears.
    const idleTokens = await tokensFor(mux1.server, await seedUsers(mux1.server, Math.min(50, idle), 'soak'));
    const churnTokens = await tokensFor(mux1.server, await seedUsers(mux1.server, churners, 'churn'));
    return { url: mux1.url, idleTokens, churnTokens };
  }
  const http = createHttpServer();
  const server = new Server(http, { serveClient: false });
  server.on('connection', (socket) => {
    socket.join('lobby');
    socket.emit('connected', { message: 'hi', sid: socket.id, user: null });
    type Ack = ((r: object) => void) | undefined;
    socket.on('join', ({ room }: { room: string }, ack: Ack) => {
      socket.join(room);
      ack?.({ ok: true, room });
    });
    socket.on('leave', ({ room }: { room: string }, ack: Ack) => {
      socket.leave(room);
      ack?.({ ok: true, room });
    });
    socket.on('message', ({ room, text }: { room: string; text: string }, ack: Ack) => {
      server.to(room).emit('message', { id: 0, room, user: null, text, ts: Date.now() });
      ack?.({ ok: true, id: 0 });
    });
    socket.on('history', (_: unknown, ack: Ack) => ack?.({ ok: true, messages: [] }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  stopServer = () => server.close();
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, idleTokens: [], churnTokens: [] };
}

// ---------------------------------------------------------------------------------------------
// Clients (child process)

const held: Socket[] = [];

function open(url: string, token: string | undefined): Promise<Socket> {
  const socket = io(url, {
    forceNew: true,
    reconnection: false,
    transports: ['websocket'],
    auth: token ? { token } : {},
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no greeting within 10 s')), 10_000);
    socket.once('connected', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(err);
    });
  });
}

async function request(socket: Socket, event: string, payload: unknown): Promise<void> {
  const ack = await socket.timeout(10_000).emitWithAck(event, payload);
  if (!ack?.ok) throw new Error(`${event}: ${JSON.stringify(ack)}`);
}

/** The long-lived sockets: connected once, quiet, in the lobby, hearing its presence lists. */
async function hold({ url, tokens, count }: { url: string; tokens: string[]; count: number }): Promise<void> {
  assertLoopback(url);
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, k) =>
      open(url, tokens.length > 0 ? tokens[(i + k) % tokens.length] : undefined),
    );
    held.push(...(await Promise.all(batch)));
  }
}

/** Churn until `durationS` is up; resolves with the cycles done and failed. */
async function churn({
  url,
  tokens,
  churners,
  durationS,
}: {
  url: string;
  tokens: string[];
  churners: number;
  durationS: number;
}): Promise<{ cycles: number; failures: number; firstFailure?: string }> {
  assertLoopback(url);
  const until = Date.now() + durationS * 1000;
  let cycles = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const loop = async (n: number) => {
    const room = `soak-${n % ROOMS}`;
    while (Date.now() < until) {
      let socket: Socket | undefined;
      try {
        socket = await open(url, tokens.length > 0 ? tokens[n % tokens.length] : undefined);
        await request(socket, 'join', { room });
        for (let m = 0; m < 3; m++) {
          await request(socket, 'message', {
            room,
            text: `cycle ${cycles} of ${n}, ${m}`,
            client_id: randomUUID(),
          });
        }
        await request(socket, 'history', { room, limit: 20 });
        await request(socket, 'leave', { room });
        cycles++;
      } catch (err) {
        failures++;
        firstFailure ??= (err as Error).message;
        await sleep(100);
      } finally {
        socket?.disconnect();
      }
    }
  };
  await Promise.all(Array.from({ length: churners }, (_, n) => loop(n)));
  return { cycles, failures, firstFailure };
}

function release(): void {
  for (const socket of held.splice(0)) socket.disconnect();
}

// ---------------------------------------------------------------------------------------------
// Orchestration (this process)

interface Run {
  /** [seconds since the load began, RSS in MB]. */
  samples: [number, number][];
  cycles: number;
  failures: number;
  firstFailure?: string;
}

async function soak(
  kind: Kind,
  options: { durationS: number; churners: number; idle: number },
): Promise<Run> {
  const server = forkRole(import.meta.url, 'soak-server', { nodeArgs: ['--expose-gc'] });
  const clients = forkRole(import.meta.url, 'soak-clients');
  try {
    const { url, idleTokens, churnTokens } = await server.call<{
      url: string;
      idleTokens: string[];
      churnTokens: string[];
    }>('start', { kind, idle: options.idle, churners: options.churners }, 120_000);
    await clients.call('hold', { url, tokens: idleTokens, count: options.idle }, 120_000);
    await sleep(1000);
    const samples: [number, number][] = [];
    const started = Date.now();
    const sample = async () => {
      samples.push([(Date.now() - started) / 1000, (await server.call<number>('rss')) / MB]);
    };
    await sample();
    const load = clients.call<{ cycles: number; failures: number; firstFailure?: string }>(
      'churn',
      { url, tokens: churnTokens, churners: options.churners, durationS: options.durationS },
      options.durationS * 1000 + 60_000,
    );
    const everyMs = Math.max(1000, (options.durationS * 1000) / 24);
    let running = true;
    void load.finally(() => (running = false));
    while (running) {
      await Promise.race([sleep(everyMs), load.catch(() => {})]);
      await sample();
    }
    const done = await load;
    await clients.call('release');
    return { samples, ...done };
  } finally {
    await server.call('stop', undefined, 30_000).catch(() => {});
    server.kill();
    clients.kill();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** RSS of the second and the last quarter of the run, and whether it stopped climbing. */
function verdict(run: Run, durationS: number) {
  const within = (from: number, to: number) =>
    run.samples.filter(([t]) => t >= from * durationS && t <= to * durationS).map(([, mb]) => mb);
  const start = run.samples[0]![1];
  const middle = mean(within(0.25, 0.5));
  const end = mean(within(0.75, 1.01));
  const levelled = end - middle <= Math.max(LEVEL_MB, middle * LEVEL_SHARE);
  return { start, middle, end, peak: Math.max(...run.samples.map(([, mb]) => mb)), levelled };
}

function curve(runs: Partial<Record<Kind, Run>>): string {
  const mux = runs.mux1!.samples;
  const bare = runs.bare?.samples;
  const top = Math.max(...mux.map(([, mb]) => mb), ...(bare ?? []).map(([, mb]) => mb));
  const lines = [`  t (s)   mux1 MB${bare ? '   bare MB' : ''}`];
  mux.forEach(([t, mb], i) => {
    const b = bare?.[i]?.[1];
    const bar = '#'.repeat(Math.round((mb / top) * 40));
    lines.push(
      `  ${t.toFixed(0).padStart(5)}   ${mb.toFixed(0).padStart(7)}${b === undefined ? (bare ? '          ' : '') : b.toFixed(0).padStart(10)}   ${bar}`,
    );
  });
  return lines.join('\n');
}

function stringFlag(name: string, fallback: string, allowed: string[]): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (!value || !allowed.includes(value)) throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  return value;
}

async function main(): Promise<void> {
  const durationS = intFlag('duration', 60, 1800);
  const churners = intFlag('churners', 12, 100);
  const idle = intFlag('idle', 200, 2000);
  const baseline = stringFlag('baseline', 'bare', ['bare', 'start']);
  const options = { durationS, churners, idle };

  const runs: Partial<Record<Kind, Run>> = {};
  if (baseline === 'bare') runs.bare = await soak('bare', options);
  runs.mux1 = await soak('mux1', options);
  const mux = verdict(runs.mux1, durationS);
  const bare = runs.bare && verdict(runs.bare, durationS);

  console.log(curve(runs));
  const describe = (name: string, run: Run, v: ReturnType<typeof verdict>) =>
    `${name}: ${v.start.toFixed(0)} MB at the start, ${v.middle.toFixed(0)} MB in the second quarter, ` +
    `${v.end.toFixed(0)} MB in the last (peak ${v.peak.toFixed(0)}): ${v.levelled ? 'levelled off' : 'STILL CLIMBING'}; ` +
    `${run.cycles.toLocaleString('en-US')} cycles, ${run.failures} failed${run.firstFailure ? ` (first: ${run.firstFailure})` : ''}`;
  console.log(describe('mux1', runs.mux1, mux));
  if (runs.bare && bare) console.log(describe('bare socket.io', runs.bare, bare));

  emit({
    id: 'socket-soak',
    figure: 10,
    name: `RSS after ${durationS} s of socket churn (${churners} clients) beside ${idle} sockets`,
    unit: 'MB',
    value: round(mux.end, 0),
    baseline: bare ? round(bare.end, 0) : round(mux.start, 0),
    baselineName: bare ? 'bare socket.io, same load' : 'mux1 at the start',
    ratio: round(mux.end / (bare ? bare.end : mux.start)),
    ratioOf: bare ? 'mux1/bare' : 'end/start',
    target: `levels off (last quarter <= second quarter + max(${LEVEL_SHARE * 100}%, ${LEVEL_MB} MB)), 0 failed`,
    pass: mux.levelled && runs.mux1.failures === 0,
    detail: {
      durationS,
      mux1: { ...roundAll(mux), cycles: runs.mux1.cycles, failures: runs.mux1.failures },
      ...(bare && runs.bare
        ? { bare: { ...roundAll(bare), cycles: runs.bare.cycles, failures: runs.bare.failures } }
        : {}),
      samples: {
        mux1: runs.mux1.samples.map(([t, mb]) => [round(t, 0), round(mb, 0)]),
        ...(runs.bare ? { bare: runs.bare.samples.map(([t, mb]) => [round(t, 0), round(mb, 0)]) } : {}),
      },
    },
  });
}

function roundAll(v: ReturnType<typeof verdict>) {
  return {
    start: round(v.start, 0),
    middle: round(v.middle, 0),
    end: round(v.end, 0),
    peak: round(v.peak, 0),
    levelled: v.levelled,
  };
}

if (isRole('soak-server')) {
  // After a full collection: what the server holds on to, not how far its garbage has piled up
  // since the last one (which swings the raw figure by tens of MB from one sample to the next).
  const rss = () => {
    globalThis.gc!();
    return process.memoryUsage().rss;
  };
  serveRole({ start: startServer, rss, stop: () => stopServer() });
} else if (isRole('soak-clients')) {
  serveRole({ hold, churn, release });
} else {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      console.error(`socket-soak: ${err.stack ?? err.message}`);
      process.exit(1);
    },
  );
}
