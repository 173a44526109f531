/**
 * Socket.IO clients for the chat benches, in processes of their own: one process holds a share
 * of the sockets, so a 5,000-socket run spreads its client work over several event loops.
 *
 * Fan-out latency is measured across processes: the sender stamps each message with the wall
 * clock (performance.timeOrigin + now, sub-millisecond and shared by every process on this
 * machine), and each receiver subtracts it from its own.
 */
import { io, type Socket } from 'socket.io-client';
import { serveRole } from '../lib/rpc.js';
import { assertLoopback, sleep } from '../lib/stats.js';

export interface ConnectJob {
  url: string;
  /** Tokens to authenticate with, taken in turn from `offset` on; none for guests. */
  tokens: string[];
  count: number;
  offset: number;
}

/** Messages each socket sends in the throughput phase: one burst, inside mux1's per-socket budget. */
const BURST = 10;
/** Sockets per room in the throughput phase, so each message is delivered to this many. */
export const GROUP = 10;
const BATCH = 100;

const wallNow = () => performance.timeOrigin + performance.now();

const sockets: Socket[] = [];
/** The same, under the name the throughput phase uses beside its own share. */
const allSockets = sockets;
/** Per fan-out round: how many local sockets got it, and their latencies. */
const rounds = new Map<number, { received: number; latencies: number[] }>();
const roundWaiters = new Map<number, () => void>();

function onFanout(text: string): void {
  const m = /^fanout (\d+) ([\d.]+)$/.exec(text);
  if (!m) return;
  const round = Number(m[1]);
  const entry = rounds.get(round) ?? { received: 0, latencies: [] };
  rounds.set(round, entry);
  entry.latencies.push(wallNow() - Number(m[2]));
  if (++entry.received === sockets.length) roundWaiters.get(round)?.();
}

async function connect(job: ConnectJob): Promise<{ seconds: number }> {
  assertLoopback(job.url);
  if (job.count > 5000) throw new Error('too many sockets for one process');
  const started = performance.now();
  // In batches, as a crowd arriving rather than a single instant.
  for (let i = 0; i < job.count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, job.count - i) }, (_, k) => {
      const n = job.offset + i + k;
      const token = job.tokens.length > 0 ? job.tokens[n % job.tokens.length] : undefined;
      const socket = io(job.url, {
        forceNew: true,
        reconnection: false,
        transports: ['websocket'],
        auth: token ? { token } : {},
      });
      sockets.push(socket);
      socket.on('message', (m: { text: string }) => onFanout(m.text));
      return new Promise<void>((resolve, reject) => {
        socket.once('connected', () => resolve());
        socket.once('connect_error', reject);
      });
    });
    await withDeadline(Promise.all(batch), 30_000, 'connect');
  }
  return { seconds: (performance.now() - started) / 1000 };
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Sends fan-out round `round` into the lobby, from a different local socket each round. */
function send({ round }: { round: number }): void {
  sockets[round % sockets.length]!.emit('message', { room: 'lobby', text: `fanout ${round} ${wallNow()}` });
}

/** Resolves when every local socket has round `round`, or at the deadline; says how many are missing. */
async function waitRound({ round, timeoutMs }: { round: number; timeoutMs: number }): Promise<number> {
  const have = () => rounds.get(round)?.received ?? 0;
  if (have() < sockets.length) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      roundWaiters.set(round, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    roundWaiters.delete(round);
  }
  return sockets.length - have();
}

/** Every latency of rounds from `from` on, in ms. */
function latencies({ from }: { from: number }): number[] {
  return [...rounds.entries()].filter(([r]) => r >= from).flatMap(([, e]) => e.latencies);
}

/**
 * Throughput: rooms of GROUP local sockets; every socket sends a burst into its room at once.
 * Each accepted message is owed to every socket of its room.
 */
async function throughput({ roomPrefix, limit }: { roomPrefix: string; limit?: number }) {
  // At most `limit` of the local sockets take part, so a crowd of 10,000 still sends a burst
  // the deadlines below allow.
  const sockets = allSockets.slice(0, limit ?? allSockets.length);
  const room = (i: number) => `${roomPrefix}${Math.floor(i / GROUP)}`;
  const roomSize = (i: number) => Math.min(GROUP, sockets.length - Math.floor(i / GROUP) * GROUP);
  for (const [i, socket] of sockets.entries()) socket.emit('join', { room: room(i) }, () => {});
  await sleep(1200); // joins land, message budgets refill
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
          socket.emit('message', { room: room(i), text: `burst ${i}.${k}` }, (ack: any) => {
            if (ack?.ok) owed += roomSize(i);
            else refused++;
            resolve();
          }),
        ),
    ),
  );
  await withDeadline(Promise.all(acks), 30_000, 'throughput acks');
  const delivered = new Promise<void>((resolve) => {
    const tick = () => (deliveries >= owed ? resolve() : setTimeout(tick, 5));
    tick();
  });
  await withDeadline(delivered, 30_000, 'throughput deliveries');
  return {
    accepted: sockets.length * BURST - refused,
    refused,
    deliveries,
    seconds: (performance.now() - t0) / 1000,
  };
}

function disconnect(): void {
  for (const socket of sockets) socket.disconnect();
  sockets.length = 0;
}

serveRole({ connect, send, waitRound, latencies, throughput, disconnect });
