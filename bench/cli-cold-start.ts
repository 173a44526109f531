/**
 * Cold start of the command line: `mux1 --version` and `mux1 --help` beside `node -e 0`, the
 * floor no Node CLI can beat, measured in the same run. Aim: within 250 ms of bare node.
 *
 *   npm run build && node --import tsx bench/cli-cold-start.ts [--runs 10]
 *
 * Two layouts: the working tree's dist/ (no oclif manifest, so oclif imports every command file
 * to list them), and the layout npm installs (the same dist/ plus the manifest that prepack
 * writes), built in a temp folder so the working tree is left alone. The runs go round-robin, so
 * a busy machine slows every row alike; each row is the median of its runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit } from './lib/report.js';

const AIM_MS = 250;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const runs = Math.min(100, Math.max(1, runsArg === -1 ? 10 : Number(process.argv[runsArg + 1]) || 10));

if (!existsSync(join(root, 'dist', 'tui', 'commands'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}

/** The package as npm installs it: package.json, bin, dist and the manifest, beside node_modules. */
function installedLayout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mux1-bench-cli-'));
  for (const entry of ['package.json', 'bin', 'dist'])
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  execFileSync(process.execPath, [join(root, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest'], {
    cwd: dir,
    stdio: 'ignore',
  });
  return dir;
}

// No NODE_OPTIONS: this process runs under tsx, the CLI must not.
const env = { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1' };

function timeOnce(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const installed = installedLayout();
try {
  const rows: { label: string; args: string[]; times: number[] }[] = [
    { label: 'node -e 0', args: ['-e', '0'], times: [] },
    { label: 'mux1 --version (dist/)', args: [join(root, 'bin', 'run.js'), '--version'], times: [] },
    { label: 'mux1 --help (dist/)', args: [join(root, 'bin', 'run.js'), '--help'], times: [] },
    {
      label: 'mux1 --version (as installed)',
      args: [join(installed, 'bin', 'run.js'), '--version'],
      times: [],
    },
    { label: 'mux1 --help (as installed)', args: [join(installed, 'bin', 'run.js'), '--help'], times: [] },
  ];
  for (const row of rows) timeOnce(row.args); // warm the file cache; not counted
  for (let i = 0; i < runs; i++) for (const row of rows) row.times.push(timeOnce(row.args));

  const base = median(rows[0]!.times);
  console.log(
    `CLI cold start, median of ${runs} runs (node ${process.version}, ${process.platform}-${process.arch})\n`,
  );
  console.log(
    `${'command'.padEnd(32)}${'median ms'.padStart(10)}${'over node'.padStart(11)}  aim <= +${AIM_MS} ms`,
  );
  for (const row of rows) {
    const m = median(row.times);
    const over = m - base;
    const verdict = row === rows[0] ? '' : over <= AIM_MS ? 'ok' : 'OVER';
    console.log(
      `${row.label.padEnd(32)}${m.toFixed(0).padStart(10)}${(row === rows[0] ? '' : `+${over.toFixed(0)}`).padStart(11)}  ${verdict}`,
    );
  }
  // The figures for the runner: the layout people get from npm (with the manifest).
  for (const [row, id, name] of [
    [rows[3]!, 'cli-version', 'CLI cold start: mux1 --version'],
    [rows[4]!, 'cli-help', 'CLI cold start: mux1 --help'],
  ] as const) {
    const m = median(row.times);
    const dev = rows.find((r) => r.label === row.label.replace('as installed', 'dist/'))!;
    emit({
      id,
      figure: 8,
      name,
      unit: 'ms',
      value: Math.round(m),
      baseline: Math.round(base),
      baselineName: 'node -e 0',
      ratio: Math.round(m - base),
      ratioOf: 'mux1 - node (ms)',
      target: `within ${AIM_MS} ms`,
      pass: m - base <= AIM_MS,
      detail: {
        runs,
        layout: 'as installed (with oclif manifest)',
        withoutManifestMs: Math.round(median(dev.times)),
      },
    });
  }
} finally {
  rmSync(installed, { recursive: true, force: true });
}
