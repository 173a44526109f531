import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server the tests may create databases on: the machine's own, trust auth, as
 * `.ci/run` leaves it. A test never uses an existing database; it makes its own and drops it.
 */
export const postgresAdminUrl =
  process.env.MUX1_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** True when the test run asked for PostgreSQL (MUX1_TEST_DATABASE=postgres) instead of SQLite. */
export const testsUsePostgres = (): boolean => process.env.MUX1_TEST_DATABASE === 'postgres';

/**
 * Every database this run creates is named `mux1_test_<run>_...`, so the run's sweep can drop
 * what a test kept (or a crash left) without touching another run's. A runner that spawns mocha
 * passes its own run id down in MUX1_TEST_RUN_ID.
 */
export const testRunId = (process.env.MUX1_TEST_RUN_ID ??= randomBytes(4).toString('hex'));

export interface TestDatabase {
  /** DATABASE_URL of the database. */
  url: string;
  name: string;
  /** Drops it, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const urlOf = (name: string): string => {
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

// FORCE (PostgreSQL 13+): a server a failed test left running must not keep a database alive.
const dropSql = (name: string) => `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`;

/**
 * `CREATE DATABASE mux1_test_<run>_<random>`, empty. With a `key`, the same key gives the same
 * database within the run (created on first use), for a test that restarts a server on it.
 */
export async function createTestDatabase(options: { key?: string } = {}): Promise<TestDatabase> {
  const suffix =
    options.key === undefined
      ? randomBytes(6).toString('hex')
      : 'k' + createHash('sha256').update(options.key).digest('hex').slice(0, 12);
  // Only [a-z0-9_]: identifiers cannot be bound as parameters, so the name must need no quoting.
  const name = `mux1_test_${testRunId}_${suffix}`;
  await admin(async (c) => {
    if (options.key !== undefined) {
      const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) return;
    }
    await c.query(`CREATE DATABASE ${name}`);
  });
  let dropped = false;
  return {
    url: urlOf(name),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((c) => c.query(dropSql(name)));
    },
  };
}

/** Drops every database of a run (default: this one); returns their names. */
export async function dropRunDatabases(runId = testRunId): Promise<string[]> {
  return admin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'mux1\\_test\\_' || $1 || '\\_%'",
      [runId],
    );
    for (const { datname } of rows) await c.query(dropSql(datname));
    return rows.map((r) => r.datname);
  });
}

/**
 * A PostgreSQL database for one test server. A test that passes its own `dir` restarts a server
 * "on the same database", so the database belongs to the folder: the same one for every server
 * started with it, left in place when one of them closes, and dropped by the run's sweep
 * (dropRunDatabases). Without a `dir`, the database is the server's own and is dropped with it.
 */
export async function testDatabaseFor(dir: string | undefined): Promise<TestDatabase> {
  if (dir === undefined) return createTestDatabase();
  const db = await createTestDatabase({ key: dir });
  return { ...db, drop: async () => {} };
}
