/**
 * Server CPU per GET /api/me or GET /api/health request: mux1 and the bare Koa app of bench/me.ts
 * or bench/health.ts (the same JSON from memory), in this process, loaded in turn by autocannon in
 * a child process, so the load generator's own CPU is not counted.
 * It still moves with the machine's other load (on two busy cores, 47 to 67 us for the same bare
 * app), less than the req/s ratio does: compare medians of several rounds, and decide by the CPU
 * profile (--profile), whose per-function figures say where the time went.
 *
 * --in-process hands the same requests straight to each server's request listeners instead, one
 * at a time, over a stand-in socket that takes every write: what each answer costs in JavaScript
 * (Node's HTTP response, Koa, the app) without the system calls and the other process, which move
 * most with the load. Its rounds of `--requests` answers differ by tenths of a microsecond where
 * the network's differ by several; the least of them is the least disturbed.
 *
 *   node --import tsx bench/me-cpu.ts [--path me|health] [--rounds 3] [--seconds 8]
 *     [--in-process [--requests 20000]] [--credential session|token]
 *
 * --credential token asks /api/me with a personal access token instead of a session token (the
 * bare app answers that token's JSON): what bench/token-auth.ts compares, by CPU.
 *     [--profile mux1|bare] (writes the load window's CPU profile to /tmp/<path>-<side>.cpuprofile)
 */
import { writeFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse, type Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import { Duplex } from 'node:stream';
import { bareKoa } from './lib/bare.js';
import { httpLoad } from './lib/http-load.js';
import { seedUsers, startMux1, tokensFor, type BenchServer } from './lib/mux1.js';
import { intFlag } from './lib/stats.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Runs one load and returns how many answers it got, throwing on any failure. */
type Load = () => Promise<number>;

async function measure(
  load: Load,
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
  const answers = await load();
  const used = process.cpuUsage(before);
  if (session) {
    const { profile: p } = await session.post('Profiler.stop');
    writeFileSync(profile!, JSON.stringify(p));
    session.disconnect();
  }
  return { usPerReq: (used.user + used.system) / answers, userUs: used.user / answers, answers };
}

function overNetwork(url: string, path: string, headers: Record<string, string>, seconds: number): Load {
  return async () => {
    const r = await httpLoad({ url, path, headers, connections: 10, warmupS: 0, measureS: seconds });
    const bad = Object.keys(r.statuses).filter((s) => Number(s) >= 300);
    if (bad.length || r.errors) throw new Error(`failures: ${JSON.stringify(r.statuses)} ${r.errors} errors`);
    return Object.values(r.statuses).reduce((a, b) => a + b, 0);
  };
}

/** A kept-alive connection that takes every write at once and reads nothing. */
class StandInSocket extends Duplex {
  readonly remoteAddress = '127.0.0.1';
  override _read(): void {}
  override _write(_chunk: Buffer, _encoding: string, done: () => void): void {
    done();
  }
  override _writev(_chunks: unknown[], done: () => void): void {
    done();
  }
  setTimeout(): this {
    return this;
  }
}

/** One GET handed to the server's request listeners, as Node's parser would; resolves when answered. */
function direct(http: Server, socket: StandInSocket, path: string, headers: Record<string, string>) {
  return new Promise<void>((resolve, reject) => {
    const req = new IncomingMessage(socket as never);
    req.method = 'GET';
    req.url = path;
    req.httpVersion = '1.1';
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    // A fresh object per request, as the parser makes.
    req.headers = { host: '127.0.0.1', ...headers };
    req.complete = true;
    req.push(null);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = true;
    res.assignSocket(socket as never);
    res.on('finish', () => {
      res.detachSocket(socket as never);
      if (res.statusCode >= 300) reject(new Error(`GET ${path} answered ${res.statusCode}`));
      else resolve();
    });
    http.emit('request', req, res);
  });
}

function inProcess(http: Server, path: string, headers: Record<string, string>, requests: number): Load {
  const socket = new StandInSocket();
  return async () => {
    for (let i = 0; i < requests; i++) await direct(http, socket, path, headers);
    return requests;
  };
}

/**
 * What each path's requests carry and how its bare app answers, as bench/me.ts and
 * bench/health.ts have them: /api/me with a bearer token and its JSON as first answered, /api/health
 * with no credential and the uptime worked out on each answer, as mux1 does.
 */
async function setUp(name: string, credential: string, mux1: BenchServer) {
  if (credential !== 'session' && credential !== 'token')
    throw new Error('--credential must be session or token');
  if (name !== 'me' && name !== 'health') throw new Error('--path must be me or health');
  const path = `/api/${name}`;
  const headers: Record<string, string> = {};
  if (name === 'me') {
    const [session] = await tokensFor(mux1.server, await seedUsers(mux1.server, 1));
    headers.authorization = `Bearer ${session}`;
    if (credential === 'token') headers.authorization = `Bearer ${await accessToken(mux1, session!)}`;
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

/** A personal access token of the session's account, made through the API as a person would. */
async function accessToken(mux1: BenchServer, session: string): Promise<string> {
  const made = await fetch(`${mux1.url}/api/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', scopes: ['profile:read'] }),
  });
  if (made.status !== 201) throw new Error(`POST /api/tokens answered ${made.status}`);
  return ((await made.json()) as { token: string }).token;
}

async function main(): Promise<void> {
  const name = flag('path') ?? 'me';
  const credential = flag('credential') ?? 'session';
  const profile = flag('profile');
  const direct = process.argv.includes('--in-process');
  const rounds = direct ? intFlag('rounds', 10, 50) : intFlag('rounds', 3, 10);
  const seconds = intFlag('seconds', 8, 30);
  const requests = intFlag('requests', 20_000, 1_000_000);
  const mux1 = await startMux1({ logN: 10 });
  const { path, headers, bare } = await setUp(name, credential, mux1);
  const loads = direct
    ? {
        mux1: inProcess(mux1.server.http, path, headers, requests),
        bare: inProcess(bare.http, path, headers, requests),
      }
    : {
        mux1: overNetwork(mux1.url, path, headers, seconds),
        bare: overNetwork(bare.url, path, headers, seconds),
      };
  const runs: Record<string, number[]> = { mux1: [], bare: [] };
  try {
    // In-process rounds are short: a round each first, so the compiler's warm-up is in neither.
    if (direct) for (const load of Object.values(loads)) await load();
    for (let i = 0; i < rounds; i++) {
      for (const side of ['bare', 'mux1'] as const) {
        if (profile && profile !== side) continue;
        const out = profile ? `/tmp/${name}-${side}.cpuprofile` : undefined;
        const m = await measure(loads[side], out);
        runs[side]!.push(m.usPerReq);
        console.log(
          `${side} ${path}: ${m.usPerReq.toFixed(direct ? 2 : 1)} µs CPU/request (${m.userUs.toFixed(1)} user) ` +
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
  if (direct) {
    const lm = Math.min(...runs.mux1!);
    const lb = Math.min(...runs.bare!);
    console.log(
      `least: mux1 ${lm.toFixed(2)} µs, bare ${lb.toFixed(2)} µs, mux1 - bare ${(lm - lb).toFixed(2)} µs, ` +
        `ratio ${(lm / lb).toFixed(3)}`,
    );
  }
  process.exit(0);
}

void main();
