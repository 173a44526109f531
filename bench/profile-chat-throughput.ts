/**
 * A diagnostic, not a figure (bench/run.ts does not run it): what the server process does in
 * chat-fanout's messages/s phase only - 1,000 sockets each send a burst of 10 into rooms of 10 -
 * for mux1 or for the bare Socket.IO baseline, measured inside the server's process. `--sockets`
 * connects more (5,000 and 10,000, as chat-fanout does, a client process per 2,500), of which
 * 1,000 send.
 *
 *   node --import tsx bench/profile-chat-throughput.ts --target mux1|bare [--no-profile] [--heap]
 *     [--sockets 1000] [--out /tmp/mux1.cpuprofile] [--in-flight MS]
 *
 * Prints the server's CPU time (user + system, every thread) per message stored and delivered,
 * the client processes' CPU, the frames sent, the main thread's time inside sqlite3 calls and,
 * for mux1, when each batch insert started and how long it took. With the profile (the default)
 * it writes the .cpuprofile and prints the top functions by self time; `--heap` also writes a
 * sampled allocation profile (.heapprofile) of the phase. Wall-clock figures are noise on a
 * busy machine: compare CPU per message, and alternate the runs being compared.
 *
 * `--in-flight MS` instead takes a heap snapshot as the burst starts and another MS ms later,
 * and prints what the heap grew by, by kind of object: what the messages in flight keep alive.
 * The first snapshot stops the server while the whole burst arrives, so it is then read at once
 * and, with mux1, nearly all of it waits for its batch at the second (the rows stored by then are
 * printed); bare keeps nothing. Such a run's CPU and timings mean nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareSocketChat } from './lib/bare.js';
import { seedUsers, startMux1, tokensFor } from './lib/mux1.js';
import { forkSocketClients } from './lib/socket-clients.js';
import { sleep } from './lib/stats.js';

/** Sockets that send, one burst of 10 each, into rooms of 10. */
const SENDERS = 1000;
const flag = (name: string) => process.argv.includes(`--${name}`);
const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const target = option('target', 'mux1');
if (target !== 'mux1' && target !== 'bare') throw new Error('--target is mux1 or bare');
const out = option('out', join(tmpdir(), `${target}.cpuprofile`));
/** Sockets connected in all (chat-fanout measures 1,000, 5,000 and 10,000); SENDERS of them send. */
const sockets = Number(option('sockets', String(SENDERS)));
if (!Number.isInteger(sockets) || sockets < SENDERS || sockets > 10_000) {
  throw new Error(`--sockets is ${SENDERS} to 10000`);
}

/** CPU time of another process so far, in ms (Linux: utime + stime, in clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const require = createRequire(import.meta.url);

/** Frames handed to engine.io's WebSocket transport, so both servers' output can be compared. */
const sent = { sends: 0, packets: 0 };
{
  const path = new URL('../node_modules/engine.io/build/transports/websocket.js', import.meta.url).pathname;
  const proto = require(path).WebSocket.prototype;
  const send = proto.send;
  proto.send = function (this: unknown, packets: unknown[]) {
    sent.sends++;
    sent.packets += packets.length;
    return send.call(this, packets);
  };
}

/**
 * The main thread's time inside sqlite3's calls (a statement is queued for the thread pool
 * there): in a burst it can block for milliseconds, which no JavaScript frame shows.
 */
const sqliteCalls = { ms: 0, overOneMs: 0 };
{
  const proto = require('sqlite3').Database.prototype;
  for (const method of ['all', 'run', 'get']) {
    const call = proto[method];
    proto[method] = function (this: unknown, ...args: unknown[]) {
      const started = performance.now();
      try {
        return call.apply(this, args);
      } finally {
        const ms = performance.now() - started;
        sqliteCalls.ms += ms;
        if (ms > 1) sqliteCalls.overOneMs++;
      }
    };
  }
}

async function main(): Promise<void> {
  let url: string;
  let tokens: string[] = [];
  let close: () => Promise<unknown>;
  const inserts: string[] = [];
  let phaseAt = 0;
  if (target === 'bare') {
    ({ url, close } = await bareSocketChat());
  } else {
    const mux1 = await startMux1({ logN: 10 });
    tokens = await tokensFor(mux1.server, await seedUsers(mux1.server, 100));
    ({ url, close } = mux1);
    const startedAt = new Map<string, number>();
    type Query = { __knexQueryUid: string; sql: string; bindings?: unknown[] };
    mux1.server.db.on('query', (q: Query) => startedAt.set(q.__knexQueryUid, performance.now()));
    mux1.server.db.on('query-response', (_: unknown, q: Query) => {
      const at = startedAt.get(q.__knexQueryUid);
      startedAt.delete(q.__knexQueryUid);
      if (at === undefined || !q.sql.startsWith('insert into messages')) return;
      // SQLite binds the batch as one JSON array; PostgreSQL five values a row.
      const [first] = q.bindings ?? [];
      const rows =
        q.bindings?.length === 1 && typeof first === 'string'
          ? (JSON.parse(first) as unknown[]).length
          : (q.bindings?.length ?? 0) / 5;
      inserts.push(`${rows}@${(at - phaseAt).toFixed(0)}+${(performance.now() - at).toFixed(0)}`);
    });
  }
  // As chat-fanout: a client process per 2,500 sockets, the senders shared among them.
  const clients = forkSocketClients(Math.ceil(sockets / 2500));
  try {
    await clients.connect(url, tokens, sockets);
    await sleep(500);
    const session = new Session();
    session.connect();
    const inFlightMs = Number(option('in-flight', '-1'));
    const profiling = !flag('no-profile') && inFlightMs < 0;
    if (profiling) {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    }
    type Burst = { accepted: number; refused: number; seconds: number };
    const bursts = Promise.all(
      clients.procs.map((p, i) =>
        p.call<Burst>('throughput', { roomPrefix: `t${i}-`, limit: SENDERS / clients.procs.length }, 90_000),
      ),
    );
    // The role joins the rooms and waits 1.2 s before the burst: only the burst is measured.
    await sleep(1100);
    const clientsCpuMs = () => clients.procs.reduce((ms, p) => ms + cpuMsOf(p.pid), 0);
    const client0 = clientsCpuMs();
    const cpu0 = process.cpuUsage();
    phaseAt = performance.now();
    Object.assign(sent, { sends: 0, packets: 0 });
    Object.assign(sqliteCalls, { ms: 0, overOneMs: 0 });
    inserts.length = 0;
    if (profiling) await session.post('Profiler.start');
    if (flag('heap')) {
      // Everything the phase allocated, collected since or not: garbage is what costs GC time.
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as never);
    }
    if (inFlightMs >= 0) {
      const before = await heapByKind(session);
      await sleep(inFlightMs);
      const stored = inserts.reduce((sum, insert) => sum + Number(insert.split('@')[0]), 0);
      printGrowth(before, await heapByKind(session), stored);
    }
    const each = await bursts;
    const res = {
      accepted: each.reduce((n, b) => n + b.accepted, 0),
      refused: each.reduce((n, b) => n + b.refused, 0),
      seconds: Math.max(...each.map((b) => b.seconds)),
    };
    const cpu = process.cpuUsage(cpu0);
    const clientMs = clientsCpuMs() - client0;
    if (flag('heap')) {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(out.replace(/\.cpuprofile$/, '') + '.heapprofile', JSON.stringify(profile));
    }
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(
      `${target}: ${res.accepted} accepted, ${res.refused} refused in ${res.seconds.toFixed(2)} s; server CPU ` +
        `${cpuMs.toFixed(0)} ms (user ${(cpu.user / 1000).toFixed(0)}), ` +
        `${((cpuMs * 1000) / Math.max(1, res.accepted)).toFixed(1)} us/message; client CPU ${clientMs} ms`,
    );
    console.log(
      `frames: ${sent.packets} in ${sent.sends} sends; main thread in sqlite3 calls ` +
        `${sqliteCalls.ms.toFixed(0)} ms (${sqliteCalls.overOneMs} calls over 1 ms)`,
    );
    if (inserts.length > 0) console.log(`inserts (rows@start+ms): ${inserts.join(' ')}`);
    if (profiling) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(out, JSON.stringify(profile));
      printSelfTimes(profile as Profile);
    }
    await Promise.all(clients.procs.map((p) => p.call('disconnect')));
  } finally {
    clients.kill();
    await close();
  }
}

/** Live objects by kind (snapshot node type and name; strings by type only): count and bytes. */
async function heapByKind(session: Session): Promise<Map<string, { count: number; bytes: number }>> {
  const chunks: string[] = [];
  const onChunk = (m: { params: { chunk: string } }) => chunks.push(m.params.chunk);
  session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const { snapshot, nodes, strings } = JSON.parse(chunks.join('')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.meta.node_fields;
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const kinds = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < nodes.length; i += fields.length) {
    const kind = snapshot.meta.node_types[0][nodes[i + type]!]!;
    const key = kind.includes('string') ? kind : `${kind} ${strings[nodes[i + name]!]!.slice(0, 60)}`;
    const entry = kinds.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + size]!;
    kinds.set(key, entry);
  }
  return kinds;
}

function printGrowth(
  before: Map<string, { count: number; bytes: number }>,
  after: Map<string, { count: number; bytes: number }>,
  stored: number,
): void {
  const grown = [...after].map(([key, { count, bytes }]) => ({
    key,
    count: count - (before.get(key)?.count ?? 0),
    bytes: bytes - (before.get(key)?.bytes ?? 0),
  }));
  const total = grown.reduce((sum, g) => sum + g.bytes, 0);
  console.log(
    `heap grew by ${(total / 1e6).toFixed(1)} MB in flight (${stored} rows stored by then); ` +
      'by kind (count, KB):',
  );
  for (const g of grown.sort((a, b) => b.bytes - a.bytes).slice(0, 15)) {
    console.log(`${String(g.count).padStart(8)} ${(g.bytes / 1000).toFixed(0).padStart(7)} KB  ${g.key}`);
  }
}

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

function printSelfTimes(profile: Profile): void {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = nodes.get(id)!.callFrame;
    const where = f.url.replace(/.*node_modules\//, '').replace(/^file:\/\/.*?\/(server|bench)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'} ${where}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
