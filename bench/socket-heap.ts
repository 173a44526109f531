/**
 * By hand: what an idle socket holds on the server's heap, object by object. Connects N sockets,
 * takes a heap snapshot, connects N more, takes another, and prints the objects (by type and
 * constructor or name) whose count or size grew, divided by N - beside the same for a bare
 * Socket.IO server. socket-memory.ts gives the figure; this says what makes it.
 *
 *   node --expose-gc --import tsx bench/socket-heap.ts [--clients 1000] [--kind mux1|bare] [--top 40] [--by-owner]
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { bareSocketLobby } from './lib/bare.js';
import { seedUsers, startMux1, tokensFor } from './lib/mux1.js';
import { forkSocketClients } from './lib/socket-clients.js';
import { intFlag, sleep } from './lib/stats.js';

interface Totals {
  count: number;
  size: number;
}

/**
 * Count and self size of the snapshot's nodes, per "type name" - or, with `byOwner`, per "type
 * name <- owner's type and name . edge" (the first object that refers to it), to tell apart the
 * many plain arrays and objects.
 */
function tally(file: string, byOwner: boolean): Map<string, Totals> {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const meta = snap.snapshot.meta;
  const fields: string[] = meta.node_fields;
  const types: string[] = meta.node_types[0];
  const stride = fields.length;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const nodes: number[] = snap.nodes;
  const strings: string[] = snap.strings;
  const owner = new Map<number, string>();
  if (byOwner) {
    const edgeFields: string[] = meta.edge_fields;
    const edgeTypes: string[] = meta.edge_types[0];
    const estride = edgeFields.length;
    const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => edgeFields.indexOf(f)) as [
      number,
      number,
      number,
    ];
    const iEdges = fields.indexOf('edge_count');
    const edges: number[] = snap.edges;
    let e = 0;
    for (let i = 0; i < nodes.length; i += stride) {
      const from = `${types[nodes[i + iType]!]} ${strings[nodes[i + iName]!]!.slice(0, 40)}`;
      for (let k = 0; k < nodes[i + iEdges]!; k++, e += estride) {
        const kind = edgeTypes[edges[e + eType]!];
        if (kind === 'weak' || kind === 'shortcut') continue;
        const to = edges[e + eTo]!;
        if (owner.has(to)) continue;
        const name = kind === 'element' || kind === 'hidden' ? `[${kind}]` : strings[edges[e + eName]!];
        owner.set(to, ` <- ${from} .${name}`);
      }
    }
  }
  const out = new Map<string, Totals>();
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + iType]!]!;
    let name = strings[nodes[i + iName]!]!;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    else if (name.length > 60) name = name.slice(0, 60);
    const key = `${type} ${name}${owner.get(i) ?? ''}`;
    const t = out.get(key) ?? { count: 0, size: 0 };
    t.count++;
    t.size += nodes[i + iSize]!;
    out.set(key, t);
  }
  return out;
}

async function snapshot(label: string): Promise<string> {
  for (let i = 0; i < 3; i++) {
    globalThis.gc!();
    await sleep(200);
  }
  return writeHeapSnapshot(join(tmpdir(), `socket-heap-${process.pid}-${label}.heapsnapshot`));
}

async function start(kind: string): Promise<{ url: string; tokens: string[]; stop(): Promise<void> }> {
  if (kind === 'mux1') {
    const mux1 = await startMux1({ logN: 10 });
    const tokens = await tokensFor(mux1.server, await seedUsers(mux1.server, 100));
    return { url: mux1.url, tokens, stop: () => mux1.close() };
  }
  const bare = await bareSocketLobby();
  return { url: bare.url, tokens: [], stop: () => bare.close() };
}

async function main(): Promise<void> {
  if (!globalThis.gc) throw new Error('run with node --expose-gc');
  const n = intFlag('clients', 1000, 1000);
  const top = intFlag('top', 40, 500);
  const kind = process.argv.includes('--kind') ? process.argv[process.argv.indexOf('--kind') + 1]! : 'mux1';
  const server = await start(kind);
  const warm = forkSocketClients(1);
  await warm.connect(server.url, server.tokens, 200);
  await warm.procs[0]!.call('disconnect');
  warm.kill();
  const first = forkSocketClients(1);
  const second = forkSocketClients(1);
  try {
    await first.connect(server.url, server.tokens, n);
    await sleep(1000);
    const a = await snapshot('a');
    await second.connect(server.url, server.tokens, n);
    await sleep(1000);
    const b = await snapshot('b');
    const byOwner = process.argv.includes('--by-owner');
    const [ta, tb] = [tally(a, byOwner), tally(b, byOwner)];
    // A check that the second batch connected: net, Engine.IO and Socket.IO sockets, 3 per client.
    for (const [label, t] of [
      ['a', ta],
      ['b', tb],
    ] as const) {
      let sockets = 0;
      for (const [key, { count }] of t)
        if (key === 'object Socket' || key.startsWith('object Socket <-')) sockets += count;
      console.log(`snapshot ${label}: ${sockets} objects named Socket`);
    }
    rmSync(a);
    rmSync(b);
    const rows = [...tb.entries()]
      .map(([key, t]) => {
        const was = ta.get(key) ?? { count: 0, size: 0 };
        return { key, count: (t.count - was.count) / n, bytes: (t.size - was.size) / n };
      })
      .filter((r) => Math.abs(r.bytes) >= 4 || Math.abs(r.count) >= 0.5)
      .sort((x, y) => y.bytes - x.bytes);
    const total = rows.reduce((s, r) => s + r.bytes, 0);
    console.log(`${kind}: heap growth per socket ${total.toFixed(0)} B (objects whose size moved by >= 4 B)`);
    for (const r of rows.slice(0, top)) {
      console.log(`${r.bytes.toFixed(1).padStart(8)} B ${r.count.toFixed(2).padStart(6)} x  ${r.key}`);
    }
  } finally {
    first.kill();
    second.kill();
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
