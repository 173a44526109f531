/**
 * Where the growth bench's databases live.
 *
 * SQLite: built once into a cache folder under the system temp folder, keyed by the migrations,
 * the generator's version and the sizes, and rebuilt when missing or older than the sessions it
 * holds can stay signed in; each run works on a copy, so what a run writes never reaches the
 * cache. PostgreSQL: a database of the run's own (`mux1_bench_growth_<random>`), built and
 * dropped every run - also when the run is stopped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PasswordHasher } from '../../server/accounts/index.js';
import { migrationSource } from '../../server/store/migrations/index.js';
import { buildDatabase, GENERATOR_VERSION, PASSWORD, type Facts, type Sizes } from './growth-data.js';

export interface BenchDatabase {
  /** DATABASE_URL for the server. */
  url: string;
  /** A folder of the run's own for the server, removed with the database. */
  dir: string;
  facts: Facts;
  dispose(): Promise<void>;
}

type Log = (line: string) => void;

/** The sessions in a cached database were last used when it was built; SESSION_IDLE_DAYS is 7. */
const CACHE_MAX_AGE_MS = 5 * 86_400_000;
const CACHE_ROOT = join(tmpdir(), 'mux1-bench-growth');

let sharedHash: Promise<string> | undefined;
/** The one real scrypt hash every user shares, made once per run and only when a build needs it. */
const passwordHash = (logN: number) => (sharedHash ??= new PasswordHasher(logN).hash(PASSWORD));

const describe = (s: Sizes) => `${s.users} users / ${s.messages} messages`;

async function cacheKey(sizes: Sizes): Promise<string> {
  const migrations = await migrationSource.getMigrations([]);
  const key = JSON.stringify({ generator: GENERATOR_VERSION, migrations, sizes });
  return `${sizes.users}u-${sizes.messages}m-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Drops cache entries of other schemas or generators at this size, entries past their age, and
 * builds whose process is gone.
 */
function pruneCache(keep: string, sizes: Sizes): void {
  const prefix = `${sizes.users}u-${sizes.messages}m-`;
  for (const name of readdirSync(CACHE_ROOT)) {
    const dir = join(CACHE_ROOT, name);
    const builder = /\.building-(\d+)$/.exec(name);
    let stale: boolean;
    if (builder) {
      stale = !alive(Number(builder[1]));
    } else {
      try {
        const facts = JSON.parse(readFileSync(join(dir, 'facts.json'), 'utf8')) as Facts;
        stale = (name.startsWith(prefix) && name !== keep) || Date.now() - facts.builtAt > CACHE_MAX_AGE_MS;
      } catch {
        stale = true;
      }
    }
    if (stale) rmSync(dir, { recursive: true, force: true });
  }
}

/** A working copy of the cached SQLite database of this size, built first when needed. */
export async function sqliteDatabase(
  sizes: Sizes,
  options: { rebuild: boolean; log: Log },
): Promise<BenchDatabase> {
  mkdirSync(CACHE_ROOT, { recursive: true });
  const key = await cacheKey(sizes);
  const entry = join(CACHE_ROOT, key);
  let facts: Facts | undefined;
  if (!options.rebuild && existsSync(join(entry, 'facts.json'))) {
    const cached = JSON.parse(readFileSync(join(entry, 'facts.json'), 'utf8')) as Facts;
    if (Date.now() - cached.builtAt < CACHE_MAX_AGE_MS) facts = cached;
  }
  if (facts) {
    options.log(`SQLite ${describe(sizes)}: cached in ${entry}`);
  } else {
    pruneCache(key, sizes);
    rmSync(entry, { recursive: true, force: true });
    // Built under another name and renamed when whole, so a stopped build is never taken for one.
    const building = `${entry}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(building);
    options.log(`SQLite ${describe(sizes)}: building in ${entry}`);
    facts = await buildDatabase(
      join(building, 'growth.sqlite'),
      sizes,
      await passwordHash(sizes.logN),
      options.log,
    );
    writeFileSync(join(building, 'facts.json'), JSON.stringify(facts, null, 2));
    renameSync(building, entry);
    options.log(`SQLite ${describe(sizes)}: built in ${facts.buildSeconds} s`);
  }
  const work = mkdtempSync(join(tmpdir(), 'mux1-bench-growth-run-'));
  const remove = () => rmSync(work, { recursive: true, force: true });
  onSignal.add(remove);
  const file = join(work, 'growth.sqlite');
  // A clone where the file system can make one; a plain copy elsewhere.
  copyFileSync(join(entry, 'growth.sqlite'), file, constants.COPYFILE_FICLONE);
  // Written back to disk now, not at the server's first checkpoint: SQLite's checkpoint syncs the
  // file, and a sync of a fresh copy writes the whole copy out first. That made one write on the
  // large side (568 MB) take 116-126 ms against 4 ms on a synced copy, the same 300 signups run
  // on each (twice), and it fell on whichever case was writing then - a signup's slowest of ten.
  const copy = openSync(file, 'r+');
  try {
    fsyncSync(copy);
  } finally {
    closeSync(copy);
  }
  return {
    url: file,
    dir: work,
    facts,
    dispose: async () => {
      remove();
      onSignal.delete(remove);
    },
  };
}

/**
 * What a stopped run (Ctrl-C, the runner's time budget) must still clean up. Its signal handler
 * exits without waiting for promises, so each of these runs synchronously, first.
 */
const onSignal = new Set<() => void>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.prependOnceListener(signal, () => {
    for (const cleanup of onSignal) cleanup();
    // A listener turns off Node's own exit on the signal: exit unless another one will.
    if (process.listenerCount(signal) === 0) process.exit(130);
  });
}

const ADMIN_URL = process.env.MUX1_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dropSql = (name: string) => `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A PostgreSQL database of this run's own, built at this size; dropped by `dispose`. */
export async function postgresDatabase(sizes: Sizes, log: Log): Promise<BenchDatabase> {
  // Only [a-z0-9_]: a database name cannot be a bound parameter.
  const name = `mux1_bench_growth_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const dropNow = () =>
    void spawnSync('psql', [ADMIN_URL, '-qc', dropSql(name)], { stdio: 'ignore', timeout: 10_000 });
  onSignal.add(dropNow);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'mux1-bench-growth-run-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  onSignal.add(remove);
  const dispose = async () => {
    remove();
    onSignal.delete(remove);
    await admin(dropSql(name));
    onSignal.delete(dropNow);
  };
  try {
    log(`PostgreSQL ${describe(sizes)}: building in ${name}`);
    const facts = await buildDatabase(url.toString(), sizes, await passwordHash(sizes.logN), log);
    log(`PostgreSQL ${describe(sizes)}: built in ${facts.buildSeconds} s`);
    return { url: url.toString(), dir, facts, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
