/**
 * `npm run bench`: every figure of bench/README.md in one run, within 20 minutes on a 2-core machine.
 *
 *   npm run bench [-- --only login-throughput,me] [-- --list]
 *
 * Each bench is a child process in a process group of its own, so the load generators it forks
 * die with it when its time budget runs out (or when this runner is stopped). A bench reports
 * its figures as `BENCH_RESULT {json}` lines (bench/lib/report.ts); everything else it prints is
 * passed through with its name in front. A full run prints the table, writes bench/results.json
 * and writes the figures into bench/README.md from it (bench/readme.ts). A bench that fails or runs out
 * of time is reported and the run goes on; the exit code is 1 if any did. A missed target is a
 * result, not a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseResultLine, type Figure } from './lib/report.js';
import { formatTable } from './lib/table.js';
import { writeBenchReadme } from './readme.js';

interface Bench {
  name: string;
  file: string;
  args?: string[];
  /** Seconds before it is stopped; what it usually takes here is about two thirds of this. */
  budgetS: number;
  /** Runs `npm run build` first: the bench times the built CLI. */
  build?: boolean;
}

const BENCHES: Bench[] = [
  // 71 s on a quiet machine; past 110 s on one running at half speed (scrypt 0.5 s a hash).
  { name: 'login-throughput', file: 'login-throughput.ts', budgetS: 200 },
  { name: 'login-storm-health', file: 'login-storm-health.ts', budgetS: 60 },
  { name: 'kdf-dos', file: 'kdf-dos.ts', budgetS: 90 },
  // Five short alternating rounds each: one run on a shared 2-core machine drifts by up to a
  // third between rounds, and more pairs of runs make the median of their ratios steadier.
  { name: 'me', file: 'me.ts', args: ['--rounds', '5', '--seconds', '4'], budgetS: 90 },
  { name: 'health', file: 'health.ts', args: ['--rounds', '5', '--seconds', '4'], budgetS: 90 },
  { name: 'token-auth', file: 'token-auth.ts', args: ['--rounds', '5', '--seconds', '4'], budgetS: 90 },
  { name: 'chat-fanout-1000', file: 'chat-fanout.ts', args: ['--clients', '1000'], budgetS: 90 },
  {
    name: 'chat-fanout-5000',
    file: 'chat-fanout.ts',
    args: ['--clients', '5000', '--repeat', '1', '--rounds', '30'],
    budgetS: 120,
  },
  // 10,000 sockets over four client processes: one round of each side, fewer fan-out rounds.
  {
    name: 'chat-fanout-10000',
    file: 'chat-fanout.ts',
    args: ['--clients', '10000', '--repeat', '1', '--rounds', '20'],
    budgetS: 180,
  },
  { name: 'socket-memory', file: 'socket-memory.ts', budgetS: 60 },
  // 45 s of churn each for mux1 and bare Socket.IO; `--duration 240` by hand for the long view.
  { name: 'socket-soak', file: 'socket-soak.ts', args: ['--duration', '45'], budgetS: 150 },
  { name: 'signup-smtp', file: 'signup-smtp.ts', budgetS: 75 },
  { name: 'cli-cold-start', file: 'cli-cold-start.ts', args: ['--runs', '10'], budgetS: 60, build: true },
  // Beyond the eight figures: what the Redis adapter costs (needs PostgreSQL and Redis).
  { name: 'scale-out', file: 'scale-out.ts', args: ['--repeat', '1'], budgetS: 75 },
  // Every route and socket event on a small and a large database (built once, then cached).
  { name: 'growth', file: 'growth.ts', budgetS: 600 },
  // rooms and search on 1M messages against 1k, DM delivery at 1,000 sockets (the 1M database is
  // built once, about 4 minutes, then cached).
  { name: 'chat-at-size', file: 'chat-at-size.ts', budgetS: 420 },
  // The admin's users list and stats on 1M accounts against 1k (the 1M accounts take ~15 s).
  { name: 'admin-at-size', file: 'admin-at-size.ts', budgetS: 120 },
  // The growth table on PostgreSQL, at a tenth of the SQLite sizes: each run builds its databases.
  // The export figures too (the heavy user's 25k messages export in a fraction of a second).
  {
    name: 'growth-postgres',
    file: 'growth.ts',
    args: [
      ...['--database', 'postgres', '--large-users', '10000', '--large-messages', '100000'],
      ...['--case-seconds', '4'],
    ],
    budgetS: 420,
  },
];
/** The whole run's budget: the benches before growth take about 14 minutes, growth 5 to 8 (building its large database on a new machine, about a minute), chat at size and growth on PostgreSQL about 10 more. */
const RUN_BUDGET_S = 2400;

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
let current: ChildProcess | undefined;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (current) killGroup(current, 'SIGKILL');
    process.exit(130);
  });
}

async function runBench(bench: Bench, budgetS: number): Promise<{ figures: Figure[]; error?: string }> {
  const figures: Figure[] = [];
  if (bench.build) {
    const built = spawnSync('npm', ['run', 'build', '--silent'], {
      cwd: root,
      stdio: 'inherit',
      timeout: 120_000,
    });
    if (built.status !== 0) return { figures, error: 'npm run build failed' };
  }
  // No NODE_OPTIONS from whatever started npm: each bench sets up its own loader.
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, bench.file), ...(bench.args ?? [])], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  current = child;
  const pass = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) =>
    createInterface({ input: stream }).on('line', (line) => {
      const figure = parseResultLine(line);
      if (figure) figures.push(figure);
      else out.write(`  [${bench.name}] ${line}\n`);
    });
  pass(child.stdout!, process.stdout);
  pass(child.stderr!, process.stderr);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child, 'SIGTERM');
    setTimeout(() => killGroup(child, 'SIGKILL'), 3000).unref();
  }, budgetS * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  killGroup(child, 'SIGKILL'); // anything it forked and left behind
  current = undefined;
  if (timedOut) return { figures, error: `stopped after its budget of ${budgetS} s` };
  if (code !== 0) return { figures, error: `exited with ${code}` };
  if (figures.length === 0) return { figures, error: 'printed no BENCH_RESULT line' };
  return { figures };
}

async function main(): Promise<void> {
  if (process.argv.includes('--list')) {
    for (const b of BENCHES) console.log(`${b.name.padEnd(20)} bench/${b.file} ${(b.args ?? []).join(' ')}`);
    return;
  }
  const onlyArg = process.argv.indexOf('--only');
  const only = onlyArg >= 0 ? new Set(process.argv[onlyArg + 1]?.split(',')) : undefined;
  const selected = BENCHES.filter((b) => !only || only.has(b.name));
  if (selected.length === 0) throw new Error(`no such bench; --list shows them`);

  const started = Date.now();
  const loadStart = loadavg();
  const figures: Figure[] = [];
  const errors: { bench: string; error: string }[] = [];
  const benchSeconds: Record<string, number> = {};
  for (const bench of selected) {
    const left = RUN_BUDGET_S - (Date.now() - started) / 1000;
    if (left < 15) {
      errors.push({ bench: bench.name, error: 'not run: the run budget was spent' });
      continue;
    }
    console.log(`\n== ${bench.name} (budget ${Math.round(Math.min(bench.budgetS, left))} s)`);
    const t0 = Date.now();
    const result = await runBench(bench, Math.min(bench.budgetS, left));
    benchSeconds[bench.name] = Math.round((Date.now() - t0) / 1000);
    figures.push(...result.figures);
    if (result.error) {
      errors.push({ bench: bench.name, error: result.error });
      console.error(`  [${bench.name}] FAILED: ${result.error}`);
    }
  }
  const durationS = Math.round((Date.now() - started) / 1000);
  const loadEnd = loadavg();
  figures.sort((a, b) => a.figure - b.figure);

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? 'unset (libuv default 4)',
    loadAverage1mAtStart: Number(loadStart[0]!.toFixed(2)),
    loadAverage1mAtEnd: Number(loadEnd[0]!.toFixed(2)),
  };
  const table = formatTable(figures);
  const summary =
    `${figures.filter((f) => f.pass === true).length} met, ${figures.filter((f) => f.pass === false).length} missed; ` +
    `${durationS} s on ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load average ` +
    `${machine.loadAverage1mAtStart} at start and ${machine.loadAverage1mAtEnd} at end`;
  console.log(`\n${table}\n${summary}`);
  for (const e of errors) console.log(`not measured: ${e.bench}: ${e.error}`);

  if (!only) {
    const when = new Date(started).toISOString();
    writeFileSync(
      join(here, 'results.json'),
      JSON.stringify({ startedAt: when, durationS, machine, benchSeconds, figures, errors }, null, 2) + '\n',
    );
    await writeBenchReadme();
    console.log('wrote bench/results.json and the figures of bench/README.md');
  }
  if (errors.length > 0) process.exitCode = 1;
}

main().catch((err: Error) => {
  console.error(`bench: ${err.stack ?? err.message}`);
  process.exit(1);
});
