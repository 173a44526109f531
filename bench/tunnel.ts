/**
 * What the SSH tunnel costs: GET /api/health straight to mux1 and through `openTunnel`, in the
 * same run on the same machine, so the difference is the tunnel's (encryption, one channel per
 * connection, two extra hops on loopback).
 *
 *   node --import tsx bench/tunnel.ts [--requests 1000] [--concurrency 32] [--repeat 3] [--sshd]
 *
 * The far side (mux1 and an SSH server: ssh2's, or OpenSSH's sshd with --sshd) runs in a child
 * process; this process holds the tunnel and the load, as `--via` would. Direct and tunnelled runs
 * alternate, `--repeat` times, so a busy machine weighs on both alike: latencies are pooled over
 * the repeats, throughput is their median. Everything stays on 127.0.0.1; counts are capped and
 * every request has a deadline.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServerConfig } from '../config/index.js';
import { createLogger } from '../server/log.js';
import { createServer } from '../server/main.js';
import { makeKeyPair } from '../test/helpers/ssh-keys.js';
import { startOpenSshServer } from '../test/helpers/openssh-server.js';
import { startSshServer } from '../test/helpers/ssh-server.js';
import { openTunnel, type Tunnel } from '../tui/client/tunnel/index.js';

const MAX_REQUESTS = 20_000;
const MAX_CONCURRENCY = 256;
const MAX_REPEAT = 10;
const REQUEST_DEADLINE_MS = 10_000;
const WARMUP = 200;

interface FarSide {
  muxPort: number;
  sshPort: number;
  knownHostsLine: string;
  clientKey: string;
}

// ---------------------------------------------------------------------------------------------
// Far side (child process): mux1 and the SSH server in front of it

async function runFarSide(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mux1-bench-tunnel-'));
  const config = loadServerConfig({
    env: { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: join(dir, 'mux1.sqlite'), LOG_LEVEL: 'error' },
  });
  const mux = createServer(config, { log: createLogger('error') });
  const muxUrl = await mux.listen();
  const client = makeKeyPair();
  const ssh = process.argv.includes('--sshd')
    ? await startOpenSshServer([client.publicKey]).then((s) => ({ ...s, close: s.stop }))
    : await startSshServer({ authorizedKeys: [client] });
  const ready: FarSide = {
    muxPort: Number(new URL(muxUrl).port),
    sshPort: ssh.port,
    knownHostsLine: ssh.knownHostsLine,
    clientKey: client.privateKey,
  };
  process.send!(ready);
  process.once('disconnect', async () => {
    await ssh.close();
    await mux.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

// ---------------------------------------------------------------------------------------------
// Load (this process)

function get(url: string, agent: Agent | false): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/health`, { agent, timeout: REQUEST_DEADLINE_MS }, (res) => {
      res.resume();
      res.once('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.once('timeout', () => req.destroy(new Error('request deadline passed')));
    req.once('error', reject);
    req.end();
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

/** One request at a time; ms per request, sorted. */
async function latencies(url: string, count: number, agent: Agent | false): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await get(url, agent);
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}

/** `concurrency` keep-alive connections sharing `count` requests; requests per second. */
async function throughput(url: string, count: number, concurrency: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await get(url, agent);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return count / seconds;
}

interface Measures {
  keepAlive: number[];
  fresh: number[];
  rps: number;
}

async function measure(url: string, requests: number, concurrency: number): Promise<Measures> {
  const one = new Agent({ keepAlive: true, maxSockets: 1 });
  await latencies(url, WARMUP, one);
  const keepAlive = await latencies(url, requests, one);
  one.destroy();
  const fresh = await latencies(url, Math.ceil(requests / 4), false);
  const rps = await throughput(url, requests * 2, concurrency);
  return { keepAlive, fresh, rps };
}

/** Latency samples pooled over the repeats, throughput their median. */
function combine(runs: Measures[]): Measures {
  const rps = runs.map((r) => r.rps).sort((a, b) => a - b);
  return {
    keepAlive: runs.flatMap((r) => r.keepAlive).sort((a, b) => a - b),
    fresh: runs.flatMap((r) => r.fresh).sort((a, b) => a - b),
    rps: rps[Math.floor(rps.length / 2)]!,
  };
}

function arg(name: string, fallback: number, max: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return Math.min(value, max);
}

async function main(): Promise<void> {
  const requests = arg('requests', 1000, MAX_REQUESTS);
  const concurrency = arg('concurrency', 32, MAX_CONCURRENCY);
  const repeat = arg('repeat', 3, MAX_REPEAT);
  const sshd = process.argv.includes('--sshd');

  const child = fork(fileURLToPath(import.meta.url), ['--far-side', ...(sshd ? ['--sshd'] : [])], {
    execArgv: ['--import', 'tsx'],
  });
  const far = await new Promise<FarSide>((resolve, reject) => {
    child.once('message', (m) => resolve(m as FarSide));
    child.once('exit', (code) => reject(new Error(`far side exited with ${code}`)));
  });
  const home = mkdtempSync(join(tmpdir(), 'mux1-bench-home-'));
  const keyFile = join(home, 'id_bench');
  writeFileSync(keyFile, far.clientKey, { mode: 0o600 });
  writeFileSync(join(home, 'known_hosts'), far.knownHostsLine + '\n');
  // sshd only lets in users that exist; ssh2's server takes any name.
  const user = userInfo().username;
  let tunnel: Tunnel | undefined;
  try {
    tunnel = await openTunnel({
      target: `${user}@127.0.0.1`,
      sshPort: far.sshPort,
      remotePort: far.muxPort,
      identity: keyFile,
      knownHostsFile: join(home, 'known_hosts'),
      globalKnownHostsFiles: [],
      env: { HOME: home, USER: user },
    });
    const direct: Measures[] = [];
    const tunnelled: Measures[] = [];
    for (let r = 0; r < repeat; r++) {
      const runDirect = async () =>
        direct.push(await measure(`http://127.0.0.1:${far.muxPort}`, requests, concurrency));
      const runTunnel = async () => tunnelled.push(await measure(tunnel!.url, requests, concurrency));
      if (r % 2 === 0) await runDirect().then(runTunnel);
      else await runTunnel().then(runDirect);
    }
    const server = sshd ? 'OpenSSH sshd' : "ssh2's server";
    console.log(`GET /api/health, ${server} on the far side, ${repeat} alternating runs of:`);
    console.log(
      `  ${requests} sequential requests on one keep-alive connection, ${Math.ceil(requests / 4)} each on a ` +
        `new connection, ${requests * 2} over ${concurrency} keep-alive connections for throughput`,
    );
    print(combine(direct), combine(tunnelled), concurrency);
  } finally {
    await tunnel?.close();
    child.disconnect();
    rmSync(home, { recursive: true, force: true });
  }
}

function print(direct: Measures, tunnel: Measures, concurrency: number): void {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const rows: [string, string, string, string][] = [];
  for (const [name, key] of [
    ['keep-alive', 'keepAlive'],
    ['new connection', 'fresh'],
  ] as const) {
    for (const p of [0.5, 0.99]) {
      const d = percentile(direct[key], p);
      const t = percentile(tunnel[key], p);
      rows.push([
        `latency p${p * 100} (${name})`,
        ms(d),
        ms(t),
        `${t >= d ? '+' : '-'}${ms(Math.abs(t - d))}`,
      ]);
    }
  }
  rows.push([
    `throughput (${concurrency} connections)`,
    `${direct.rps.toFixed(0)} req/s`,
    `${tunnel.rps.toFixed(0)} req/s`,
    `x${(tunnel.rps / direct.rps).toFixed(2)}`,
  ]);
  const widths = [0, 1, 2, 3].map((c) =>
    Math.max(...[['metric', 'direct', 'tunnel', 'added'], ...rows].map((r) => r[c]!.length)),
  );
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(line(['metric', 'direct', 'tunnel', 'added']));
  for (const row of rows) console.log(line(row));
}

if (process.argv.includes('--far-side')) {
  void runFarSide();
} else {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
