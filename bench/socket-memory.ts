/**
 * Figure 6, connections: memory per idle authenticated socket at 5,000 sockets - the server's
 * RSS growth from before the sockets connect to after, divided by the sockets - beside a bare
 * Socket.IO server measured the same way in the same run. Target: 1.25 times bare at most.
 *
 *   node --import tsx bench/socket-memory.ts [--clients 5000] [--procs 2]
 *
 * Each server runs alone in a child process started with --expose-gc, so its RSS is its own and
 * both readings are taken after a full collection; the clients run in further processes. A
 * short connect-and-leave round first warms the code paths and pools that any first socket
 * pays for once, so the growth counted is per socket.
 */
import { bareSocketLobby } from './lib/bare.js';
import { seedUsers, startMux1, tokensFor } from './lib/mux1.js';
import { emit } from './lib/report.js';
import { forkRole, isRole, serveRole } from './lib/rpc.js';
import { forkSocketClients } from './lib/socket-clients.js';
import { runBench } from './lib/load-average.js';
import { intFlag, round, sleep } from './lib/stats.js';

const TARGET_RATIO = 1.25;
const WARM_SOCKETS = 200;

// ---------------------------------------------------------------------------------------------
// Server side (child process)

let stopServer = async (): Promise<void> => {};

async function startServer({ kind }: { kind: 'mux1' | 'bare' }): Promise<{ url: string; tokens: string[] }> {
  if (kind === 'mux1') {
    const mux1 = await startMux1({ logN: 10 });
    stopServer = () => mux1.close(); // removes its temp folder too
    // A hundred people with fifty sockets each, as the fan-out bench.
    return { url: mux1.url, tokens: await tokensFor(mux1.server, await seedUsers(mux1.server, 100)) };
  }
  const bare = await bareSocketLobby();
  stopServer = () => bare.close();
  return { url: bare.url, tokens: [] };
}

/** RSS and the JS heap in use, after full collections. */
async function settledMemory(): Promise<{ rss: number; heap: number }> {
  for (let i = 0; i < 3; i++) {
    globalThis.gc!();
    await sleep(200);
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

interface Growth {
  /** RSS growth per socket, KiB: the figure. */
  rss: number;
  /**
   * JS heap growth per socket, KiB: beside it, because on a busy machine RSS moves by a few KiB
   * per socket from run to run (the allocator's pages), the heap by far less.
   */
  heap: number;
}

// ---------------------------------------------------------------------------------------------
// Orchestration (this process)

async function measure(kind: 'mux1' | 'bare', sockets: number, procs: number): Promise<Growth> {
  const server = forkRole(import.meta.url, 'memory-server', { nodeArgs: ['--expose-gc'] });
  try {
    const { url, tokens } = await server.call<{ url: string; tokens: string[] }>('start', { kind }, 60_000);
    const warm = forkSocketClients(1);
    await warm.connect(url, tokens, WARM_SOCKETS);
    await warm.procs[0]!.call('disconnect');
    warm.kill();
    await sleep(1000);
    const before = await server.call<{ rss: number; heap: number }>('memory');
    const clients = forkSocketClients(procs);
    try {
      await clients.connect(url, tokens, sockets);
      await sleep(2000); // idle: presence and handshakes settle
      const after = await server.call<{ rss: number; heap: number }>('memory');
      return {
        rss: (after.rss - before.rss) / sockets / 1024,
        heap: (after.heap - before.heap) / sockets / 1024,
      };
    } finally {
      clients.kill();
    }
  } finally {
    await server.call('stop', undefined, 30_000).catch(() => {});
    server.kill();
  }
}

async function main(): Promise<void> {
  const sockets = intFlag('clients', 5000, 5000);
  const procs = intFlag('procs', Math.ceil(sockets / 2500), 4);
  const bareGrowth = await measure('bare', sockets, procs);
  const mux1Growth = await measure('mux1', sockets, procs);
  const bare = bareGrowth.rss;
  const value = mux1Growth.rss;
  const heapRatio = mux1Growth.heap / bareGrowth.heap;
  const n = sockets.toLocaleString('en-US');
  const ratio = value / bare;
  const held = ratio <= TARGET_RATIO;
  console.log(
    `memory per idle socket at ${n}: mux1 ${value.toFixed(1)} KiB, bare socket.io ${bare.toFixed(1)} KiB, ` +
      `ratio ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}: ${held ? 'held' : 'missed'}); JS heap alone: ` +
      `mux1 ${mux1Growth.heap.toFixed(1)} KiB, bare ${bareGrowth.heap.toFixed(1)} KiB, ratio ${heapRatio.toFixed(2)}`,
  );
  emit({
    id: 'socket-memory',
    figure: 6,
    name: `Memory per idle authenticated socket, ${n} sockets`,
    unit: 'KiB',
    value: round(value, 1),
    baseline: round(bare, 1),
    baselineName: 'bare socket.io, guest sockets',
    ratio: round(ratio),
    ratioOf: 'mux1/bare',
    target: `ratio <= ${TARGET_RATIO}`,
    pass: held,
    detail: {
      sockets,
      clientProcesses: procs,
      measure: 'RSS growth after GC / sockets',
      heapKiB: { mux1: round(mux1Growth.heap, 1), bare: round(bareGrowth.heap, 1), ratio: round(heapRatio) },
    },
  });
}

if (isRole('memory-server')) {
  serveRole({ start: startServer, memory: settledMemory, stop: () => stopServer() });
} else {
  runBench('socket-memory', main);
}
