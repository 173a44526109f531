import { loadServerConfig } from '../../config/index.js';
import { migrateToLatest, migrationStatus, openDatabase, parseDatabaseUrl, rollback, type Db } from './db.js';
import { backupSqlite, BackupError, postgresAdvice, restoreSqlite } from './backup.js';

export { BackupError };

/*
 * The entry point of `mux1 db ...`: the server's database, found exactly as `mux1 server` finds
 * it (defaults < --config file < DATABASE_URL < --db), so an operator migrates the database the
 * server will open. Loaded only when such a command runs.
 */

export interface DatabaseChoice {
  /** A JSON settings file, as for `mux1 server --config`. */
  configFile?: string;
  /** A SQLite path, sqlite: URL or postgres:// URL, above DATABASE_URL. */
  databaseUrl?: string;
  /** Where Knex's own warnings go ("Acquire connection error ..."): nowhere unless given. */
  knexLog?: (...args: unknown[]) => void;
}

/** A database that could not be opened or changed; the message names it, never its password. */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
}

/** Applies pending migrations; `applied` lists what this call applied. */
export async function migrate(choice: DatabaseChoice) {
  return withDatabase(choice, async (db, database) => {
    const before = await migrationStatus(db);
    await migrateToLatest(db);
    const after = await migrationStatus(db);
    return { database, applied: before.pending, done: after.done };
  });
}

/** Reverts the last batch of migrations. */
export async function rollbackLast(choice: DatabaseChoice) {
  return withDatabase(choice, async (db, database) => {
    const [, reverted] = await rollback(db);
    const { pending } = await migrationStatus(db);
    return { database, reverted, pending };
  });
}

/** Lists applied and pending migrations. */
export async function status(choice: DatabaseChoice) {
  return withDatabase(choice, async (db, database) => ({ database, ...(await migrationStatus(db)) }));
}

/**
 * Writes a checked, consistent copy of the live SQLite database to `file`. PostgreSQL: refused
 * with the pg_dump command to run instead.
 */
export async function backup(choice: DatabaseChoice, file: string, options: { force?: boolean } = {}) {
  const { url, database } = chosenDatabase(choice);
  const target = parseDatabaseUrl(url);
  if (target.client === 'pg')
    throw new BackupError('unsupported_database', postgresAdvice(database, 'backup', file), 2);
  if (target.connection === ':memory:')
    throw new BackupError('usage', 'an in-memory database has nothing to back up', 2);
  return { database, ...(await asDatabaseError(database, backupSqlite(target.connection, file, options))) };
}

/** Puts a checked backup in place of the SQLite database that no server has open. */
export async function restore(choice: DatabaseChoice, file: string) {
  const { url, database } = chosenDatabase(choice);
  const target = parseDatabaseUrl(url);
  if (target.client === 'pg')
    throw new BackupError('unsupported_database', postgresAdvice(database, 'restore', file), 2);
  if (target.connection === ':memory:')
    throw new BackupError('usage', 'an in-memory database cannot be restored into', 2);
  return { ...(await asDatabaseError(database, restoreSqlite(target.connection, file))), database };
}

/** SQLite's own failures (no such file, not a database) as DatabaseError, naming the database. */
async function asDatabaseError<T>(database: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new DatabaseError(`${database}: ${(err as Error).message}`, { cause: err });
  }
}

/** The database URL as `mux1 server` would resolve it, and its name with any password hidden. */
export function chosenDatabase(choice: DatabaseChoice): { url: string; database: string } {
  const url = loadServerConfig({
    configFile: choice.configFile,
    flags: { databaseUrl: choice.databaseUrl },
  }).databaseUrl;
  return { url, database: url.replace(/\/\/[^@/]*@/, '//***@') };
}

/**
 * Opens the chosen database, runs `work` with it and its printable name (any password hidden),
 * and always closes it so the process can exit. What `work` throws passes through as it is; a
 * configuration problem throws the loader's ConfigError. `mux1 db` and `mux1 admin grant|create`
 * (server/operator.ts) both open the database through here.
 */
export async function openChosenDatabase<T>(
  choice: DatabaseChoice,
  work: (db: Db, database: string) => Promise<T>,
): Promise<T> {
  const { url, database } = chosenDatabase(choice);
  // Knex prints its warnings with console.log, which would break a caller's single JSON object
  // on stdout; the failure itself still surfaces as the error.
  const consoleLog = console.log;
  console.log = choice.knexLog ?? (() => {});
  const db = openDatabase(url);
  try {
    return await work(db, database);
  } finally {
    await db.destroy();
    console.log = consoleLog;
  }
}

/** openChosenDatabase, any failure of the work a DatabaseError naming the database. */
function withDatabase<T>(choice: DatabaseChoice, work: (db: Db, database: string) => Promise<T>): Promise<T> {
  return openChosenDatabase(choice, async (db, database) => {
    try {
      return await work(db, database);
    } catch (err) {
      throw new DatabaseError(`${database}: ${(err as Error).message}`, { cause: err });
    }
  });
}
