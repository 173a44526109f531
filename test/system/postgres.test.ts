import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { dropRunDatabases, postgresAdminUrl } from '../helpers/postgres.js';
import { machineRedisUrl } from '../helpers/redis.js';
import { repoRoot } from '../helpers/cli.js';

/**
 * Every server suite in a folder (REST, chat, accounts, limits, ...). Not the ones that run the
 * built CLI on SQLite files of their own: server-process.test.ts (not in a folder) and faults/.
 */
const SERVER = 'test/server/*/**/*.test.ts';
const SQLITE_ONLY = 'test/server/faults/**';
const CHAT = 'test/server/realtime/**/*.test.ts';

/**
 * The server files `npm test` runs one at a time after its two workers (package.json's
 * test:serial: they measure time or start storms of processes), read from that script so both
 * runs keep one list. The others run here in two workers, as in `npm test`: each server already
 * has a database of its own (CREATE DATABASE per server, or per folder for a restart), so two
 * workers share nothing but the PostgreSQL server.
 */
function serialServerFiles(): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return pkg.scripts['test:serial']!.split(/\s+/)
    .map((word) => word.replace(/^'|'$/g, ''))
    .filter(
      (file) =>
        /^test\/server\/[^/*]+\/[^*]+\.test\.tsx?$/.test(file) && !file.startsWith('test/server/faults/'),
    );
}

interface MochaJson {
  stats: { tests: number; passes: number; pending: number; failures: number; duration: number };
  failures: { fullTitle: string; err: { message?: string } }[];
}

/** One child mocha over some files: `parallel` runs them in two workers. */
interface Part {
  suites: string[];
  parallel?: boolean;
  ignore?: string[];
}

/** Runs one part in a child mocha and returns its JSON report and exit code. */
async function runPart(part: Part, env: NodeJS.ProcessEnv, report: string) {
  const mocha = join(repoRoot, 'node_modules/mocha/bin/mocha.js');
  const args = ['--no-config', '--node-option', 'import=tsx', '--timeout', '60000'];
  args.push('--reporter', 'json', '--reporter-option', `output=${report}`);
  if (part.parallel) args.push('--parallel', '--jobs', '2');
  for (const pattern of part.ignore ?? []) args.push('--ignore', pattern);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [mocha, ...args, ...part.suites], {
      cwd: repoRoot,
      env,
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  return { code, result: JSON.parse(readFileSync(report, 'utf8')) as MochaJson };
}

/**
 * Runs test suites again in child mochas with MUX1_TEST_DATABASE=postgres: the same tests, each
 * server on a `CREATE DATABASE mux1_test_<run>_<random>` of its own (test/helpers/server.ts).
 * Child processes, so the SQLite run of the same files in `npm test` and this one cannot share
 * module state, and so the run's databases can be swept afterwards whatever happened in it. The
 * parts run one after the other; every part runs even when one fails.
 */
async function runOnPostgres(label: string, parts: Part[], options: { env?: Record<string, string> } = {}) {
  const runId = `pg${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'mux1-pg-suites-'));
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MUX1_TEST_DATABASE: 'postgres',
      MUX1_TEST_RUN_ID: runId,
      ...options.env,
    };
    delete env.NODE_OPTIONS;
    const runs: Awaited<ReturnType<typeof runPart>>[] = [];
    for (const [i, part] of parts.entries())
      runs.push(await runPart(part, env, join(dir, `report-${i}.json`)));
    const sum = (key: keyof MochaJson['stats']) => runs.reduce((n, run) => n + run.result.stats[key], 0);
    console.log(
      `      ${label}: ${sum('passes')} passing, ${sum('pending')} pending, ${sum('failures')} failing ` +
        `of ${sum('tests')} in ${(sum('duration') / 1000).toFixed(1)} s`,
    );
    const failed = runs.flatMap((run) =>
      run.result.failures.map((f) => `- ${f.fullTitle}: ${f.err.message ?? ''}`.slice(0, 400)),
    );
    expect(failed, `failing (${label}):\n${failed.join('\n')}`).to.deep.equal([]);
    expect(runs.map((run) => run.code)).to.deep.equal(parts.map(() => 0));
    for (const run of runs) expect(run.result.stats.passes).to.be.above(0);
    expect(sum('passes')).to.be.above(50);
  } finally {
    // Servers started with a folder keep their database for a restart; the run drops them all.
    await dropRunDatabases(runId);
    rmSync(dir, { recursive: true, force: true });
  }
  expect(await dropRunDatabases(runId), 'databases left behind').to.deep.equal([]);
}

/**
 * `files` (a glob under test/server/) as `npm test` runs them: in two workers, then its serial
 * files among them one at a time.
 */
function partsFor(files: string, ignore: string[] = []): Part[] {
  const serial = serialServerFiles().filter((file) => file.startsWith(files.replace(/\*.*$/, '')));
  const parts: Part[] = [{ suites: [files], parallel: true, ignore: [...ignore, ...serial] }];
  if (serial.length) parts.push({ suites: serial });
  return parts;
}

describe('system: the server suites on PostgreSQL', () => {
  before(async function () {
    const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
    } catch (err) {
      throw new Error(
        `PostgreSQL does not answer at ${postgresAdminUrl} (${(err as Error).message}); ` +
          '.ci/run starts it, or set MUX1_TEST_POSTGRES_URL',
      );
    } finally {
      await client.end().catch(() => {});
    }
  });

  it('passes every REST, chat, accounts and limits test, then leaves no database behind', async function () {
    this.timeout(600_000);
    // Three in the list today (timing, health-probe, mail-delivery): none found means the
    // script's form changed and they would be run in the workers without anyone noticing.
    expect(serialServerFiles()).to.have.length.above(0);
    await runOnPostgres('on PostgreSQL', partsFor(SERVER, [SQLITE_ONLY]));
  });

  it('passes the chat tests with the Socket.IO Redis adapter too', async function () {
    this.timeout(600_000);
    await runOnPostgres('on PostgreSQL with the Redis adapter', partsFor(CHAT), {
      env: { MUX1_TEST_REDIS_URL: machineRedisUrl },
    });
  });
});
