/**
 * The two child roles of bench/scale-out.ts: a mux1 server process, and a process of Socket.IO
 * clients. Servers and clients each get event loops of their own, so what one process versus
 * two can do is not blurred by the load generator sharing their thread.
 */
import { io, type Socket } from 'socket.io-client';
import { startMux1, type BenchServer } from '../lib/mux1.js';
import { isRole, serveRole } from '../lib/rpc.js';
import { assertLoopback, sleep } from '../lib/stats.js';

/** Sockets per throughput room: half of them in each client process, so with two servers every room spans both. */
export const ROOM_SIZE = 10;
/** Messages each socket sends in the throughput burst: inside mux1's per-socket budget of 10. */
export const BURST = 10;

const wallNow = () => performance.timeOrigin + performance.now();

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A mux1 server on loopback, on the database (and Redis) the parent names. */
function serverRole(): void {
  let server: BenchServer | undefined;
  serveRole({
    async start({ env }: { env: Record<string, string> }) {
      server = await startMux1({ logN: 10, env });
      return { url: server.url };
    },
    async close() {
      await server?.close();
    },
  });
}

/** Socket.IO clients: fan-out rounds in the lobby, then a burst into rooms of ROOM_SIZE. */
function clientRole(): void {
  const sockets: Socket[] = [];
  const rounds = new Map<number, { received: number; latencies: number[] }>();
  const roundWaiters = new Map<number, () => void>();
  let deliveries = 0;
  let lastDeliveryAt = 0;

  const onMessage = (m: { text: string }) => {
    const fanout = /^fanout (\d+) ([\d.]+)$/.exec(m.text);
    if (fanout) {
      const round = Number(fanout[1]);
      const entry = rounds.get(round) ?? { received: 0, latencies: [] };
      rounds.set(round, entry);
      entry.latencies.push(wallNow() - Number(fanout[2]));
      if (++entry.received === sockets.length) roundWaiters.get(round)?.();
    } else if (m.text.startsWith('burst ')) {
      deliveries++;
      lastDeliveryAt = wallNow();
    }
  };

  serveRole({
    async connect({ url, tokens, count }: { url: string; tokens: string[]; count: number }) {
      assertLoopback(url);
      if (count > 2500) throw new Error('too many sockets for one process');
      for (let i = 0; i < count; i += 100) {
        const batch = Array.from({ length: Math.min(100, count - i) }, (_, k) => {
          const socket = io(url, {
            forceNew: true,
            reconnection: false,
            transports: ['websocket'],
            auth: { token: tokens[(i + k) % tokens.length] },
          });
          sockets.push(socket);
          socket.on('message', onMessage);
          return new Promise<void>((resolve, reject) => {
            socket.once('connected', () => resolve());
            socket.once('connect_error', reject);
          });
        });
        await withDeadline(Promise.all(batch), 30_000, 'connect');
      }
    },
    send({ round }: { round: number }) {
      sockets[round % sockets.length]!.emit('message', {
        room: 'lobby',
        text: `fanout ${round} ${wallNow()}`,
      });
    },
    async waitRound({ round, timeoutMs }: { round: number; timeoutMs: number }) {
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
    },
    latencies: ({ from }: { from: number }) =>
      [...rounds.entries()].filter(([r]) => r >= from).flatMap(([, e]) => e.latencies),
    /** Socket i of every client process joins room `t<i / (ROOM_SIZE / 2)>`. */
    async join() {
      const half = ROOM_SIZE / 2;
      const joined = sockets.map(
        (socket, i) =>
          new Promise<void>((resolve) =>
            socket.emit('join', { room: `t${Math.floor(i / half)}` }, () => resolve()),
          ),
      );
      await withDeadline(Promise.all(joined), 30_000, 'join');
      deliveries = 0;
    },
    /** Every socket sends BURST messages into its room at once; resolves with the acknowledgements. */
    async burst() {
      const half = ROOM_SIZE / 2;
      let accepted = 0;
      let refused = 0;
      const acks = sockets.flatMap((socket, i) =>
        Array.from(
          { length: BURST },
          (_, k) =>
            new Promise<void>((resolve) =>
              socket.emit(
                'message',
                { room: `t${Math.floor(i / half)}`, text: `burst ${i}.${k}` },
                (ack: any) => {
                  if (ack?.ok) accepted++;
                  else refused++;
                  resolve();
                },
              ),
            ),
        ),
      );
      await withDeadline(Promise.all(acks), 60_000, 'burst acknowledgements');
      return { accepted, refused };
    },
    deliveries: () => ({ deliveries, lastDeliveryAt }),
    now: () => wallNow(),
    async disconnect() {
      for (const socket of sockets) socket.disconnect();
      sockets.length = 0;
      await sleep(100);
    },
  });
}

if (isRole('scale-out-server')) serverRole();
if (isRole('scale-out-clients')) clientRole();
