import type { Knex } from 'knex';
import pg from 'pg';

/** PostgreSQL's type id for BIGINT (int8): our ms timestamps, and what count(*) returns. */
const INT8_OID = 20;

/**
 * BIGINT as a JavaScript number instead of pg's default string. Every BIGINT mux1 stores is a
 * millisecond timestamp (about 1.8e12 today) or a count, far below 2^53, so no precision is lost;
 * a value that could not be exact stays a string rather than being silently rounded.
 */
const parseInt8 = (text: string): number | string => {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
};

/**
 * Set per connection rather than with pg.types.setTypeParser, which would change every pg user
 * in the process.
 */
const types: Knex.PgCustomTypesConfig = {
  getTypeParser: (oid, format) =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format as 'text'),
};

/** The connection settings Knex hands to each new pg.Client. */
export function pgConnection(url: string): Knex.PgConnectionConfig {
  return { connectionString: url, types, application_name: 'mux1' };
}

/** Any fixed number: the advisory lock every mux1 process takes around its migrations. */
const MIGRATION_LOCK = 0x6d757831; // "mux1"

/**
 * Runs `work` (the migrations) while holding a PostgreSQL advisory lock, on a connection of its
 * own so the pool size does not matter. Several processes starting at once on a new database
 * (two replicas of a compose service) take turns: the first migrates, the others wait, then find
 * nothing left to do. Without it they race on creating Knex's own tables, and the loser fails
 * with "Migration table is already locked" or a duplicate-key error.
 */
export async function withMigrationLock<T>(
  connection: Knex.PgConnectionConfig,
  work: () => Promise<T>,
): Promise<T> {
  const client = new pg.Client(connection as pg.ClientConfig);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await work();
  } finally {
    // Ending the session releases the lock, also when the unlock itself cannot be sent.
    await client.end().catch(() => undefined);
  }
}
