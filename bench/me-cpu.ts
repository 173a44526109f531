/**
 * Server CPU per GET /api/me or GET /api/health request: mux1 and the bare Koa app of bench/me.ts
 * or bench/health.ts (the same JSON from memory), in this process, loaded in turn by autocannon in
 * a child process, so the load generator's own CPU is not counted.
 * It still moves with the machine's other load (on two busy cores, 47 to 67 us for the same bare
 * app), less than the req/s ratio does: compare medians of several rounds, and decide by the CPU
 * profile (--profile), whose per-function figures say where the time went.
 *
 *   node --import tsx bench/me-cpu.ts [--path me|health] [--rounds 3] [--seconds 8]
 *     [--profile mux1|bare] (writes the load window's CPU profile to /tmp/<path>-<side>.cpuprofile)
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { bareKoa } from './lib/bare.js';
import { httpLoad } from './lib/http-load.js';
import { seedUsers, startMux1, tokensFor, type BenchServer } from './lib/mux1.js';
import { intFlag } from './lib/stats.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function measure(
  url: string,
  path: string,
  headers: Record<string, string>,
  seconds: number,
  profile?: string,
): Promise<{ usPerReq: number; userUs: number; answers: number }> {
  let session: Session | undefined;
  if (profile) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const before = process.cpuUsage();
  const r = await httpLoad({ url, path, headers, connections: 10, warmupS: 0, measureS: seconds });
  const used = process.cpuUsage(before);
  if (session) {
    const { profile: p } = await session.post('Profiler.stop');
    writeFileSync(profile!, JSON.stringify(p));
    session.disconnect();
  }
  const answers = Object.values(r.statuses).reduce((a, b) => a + b, 0);
  const bad = Object.keys(r.statuses).filter((s) => Number(s) >= 300);
  if (bad.length || r.errors) throw new Error(`failures: ${JSON.stringify(r.statuses)} ${r.errors} errors`);
  return { usPerReq: (used.user + used.system) / answers, userUs: used.user / answers, answers };
}

/**
 * What each path's requests carry and how its bare app answers, as bench/me.ts and
 * bench/health.ts have them: /api/me with a bearer token and its JSON as first answered, /api/health
 * with no credential and the uptime worked out on each answer, as mux1 does.
 */
async function setUp(name: string, mux1: BenchServer) {
  if (name !== 'me' && name !== 'health') throw new Error('--path must be me or health');
  const path = `/api/${name}`;
  const headers: Record<string, string> = {};
  if (name === 'me') {
    const [token] = await tokensFor(mux1.server, await seedUsers(mux1.server, 1));
    headers.authorization = `Bearer ${token}`;
  }
  const res = await fetch(`${mux1.url}${path}`, { headers });
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  const sample = (await res.json()) as Record<string, unknown>;
  const startedAt = Date.now();
  const body =
    name === 'me'
      ? () => sample
      : () => ({ ...sample, uptime_s: Math.floor((Date.now() - startedAt) / 1000) });
  return { path, headers, bare: await bareKoa(path, body) };
}

async function main(): Promise<void> {
  const name = flag('path') ?? 'me';
  const profile = flag('profile');
  const rounds = intFlag('rounds', 3, 10);
  const seconds = intFlag('seconds', 8, 30);
  const mux1 = await startMux1({ logN: 10 });
  const { path, headers, bare } = await setUp(name, mux1);
  const sides = { mux1: mux1.url, bare: bare.url } as const;
  const runs: Record<string, number[]> = { mux1: [], bare: [] };
  try {
    for (let i = 0; i < rounds; i++) {
      for (const side of ['bare', 'mux1'] as const) {
        if (profile && profile !== side) continue;
        const out = profile ? `/tmp/${name}-${side}.cpuprofile` : undefined;
        const m = await measure(sides[side], path, headers, seconds, out);
        runs[side]!.push(m.usPerReq);
        console.log(
          `${side} ${path}: ${m.usPerReq.toFixed(1)} µs CPU/request (${m.userUs.toFixed(1)} user) ` +
            `over ${m.answers} answers`,
        );
      }
    }
  } finally {
    await bare.close();
    await mux1.close();
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const m = med(runs.mux1!);
  const b = med(runs.bare!);
  console.log(`median: mux1 ${m.toFixed(1)} µs, bare ${b.toFixed(1)} µs, ratio ${(m / b).toFixed(3)}`);
  process.exit(0);
}

void main();
