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

interface MochaJson {
  stats: { tests: number; passes: number; pending: number; failures: number; duration: number };
  failures: { fullTitle: string; err: { message?: string } }[];
}

/**
 * Runs test suites again in a child mocha with MUX1_TEST_DATABASE=postgres: the same tests, each
 * server on a `CREATE DATABASE mux1_test_<run>_<random>` of its own (test/helpers/server.ts).
 * A child process, so the SQLite run of the same files in `npm test` and this one cannot share
 * module state, and so the run's databases can be swept afterwards whatever happened in it.
 */
async function runOnPostgres(
  label: string,
  suites: string[],
  options: { env?: Record<string, string>; mochaArgs?: string[] } = {},
): Promise<void> {
  const runId = `pg${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'mux1-pg-suites-'));
  const report = join(dir, 'report.json');
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MUX1_TEST_DATABASE: 'postgres',
      MUX1_TEST_RUN_ID: runId,
      ...options.env,
    };
    delete env.NODE_OPTIONS;
    const mocha = join(repoRoot, 'node_modules/mocha/bin/mocha.js');
    const args = ['--no-config', '--node-option', 'import=tsx', '--timeout', '60000'];
    args.push('--reporter', 'json', '--reporter-option', `output=${report}`, ...(options.mochaArgs ?? []));
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [mocha, ...args, ...suites], {
        cwd: repoRoot,
        env,
        stdio: 'inherit',
      });
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    const result = JSON.parse(readFileSync(report, 'utf8')) as MochaJson;
    const { stats } = result;
    console.log(
      `      ${label}: ${stats.passes} passing, ${stats.pending} pending, ${stats.failures} failing ` +
        `of ${stats.tests} in ${(stats.duration / 1000).toFixed(1)} s`,
    );
    const failed = result.failures.map((f) => `- ${f.fullTitle}: ${f.err.message ?? ''}`.slice(0, 400));
    expect(failed, `failing (${label}):\n${failed.join('\n')}`).to.deep.equal([]);
    expect(code).to.equal(0);
    expect(stats.passes).to.be.above(50);
  } finally {
    // Servers started with a folder keep their database for a restart; the run drops them all.
    await dropRunDatabases(runId);
    rmSync(dir, { recursive: true, force: true });
  }
  expect(await dropRunDatabases(runId), 'databases left behind').to.deep.equal([]);
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
    await runOnPostgres('on PostgreSQL', [SERVER], { mochaArgs: ['--ignore', SQLITE_ONLY] });
  });

  it('passes the chat tests with the Socket.IO Redis adapter too', async function () {
    this.timeout(600_000);
    await runOnPostgres('on PostgreSQL with the Redis adapter', [CHAT], {
      env: { MUX1_TEST_REDIS_URL: machineRedisUrl },
    });
  });
});
