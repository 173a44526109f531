import { loadServerConfig } from '../../config/index.js';
import { migrateToLatest, migrationStatus, openDatabase, rollback, type Db } from './db.js';

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
 * Opens the chosen database, runs `work` with it and its printable name, and always closes it
 * so the process can exit. A configuration problem throws the loader's ConfigError.
 */
async function withDatabase<T>(
  choice: DatabaseChoice,
  work: (db: Db, database: string) => Promise<T>,
): Promise<T> {
  const url = loadServerConfig({
    configFile: choice.configFile,
    flags: { databaseUrl: choice.databaseUrl },
  }).databaseUrl;
  // Never print a PostgreSQL password.
  const database = url.replace(/\/\/[^@/]*@/, '//***@');
  // Knex prints its warnings with console.log, which would break a caller's single JSON object
  // on stdout; the failure itself still surfaces as the error.
  const consoleLog = console.log;
  console.log = choice.knexLog ?? (() => {});
  const db = openDatabase(url);
  try {
    return await work(db, database);
  } catch (err) {
    throw new DatabaseError(`${database}: ${(err as Error).message}`, { cause: err });
  } finally {
    await db.destroy();
    console.log = consoleLog;
  }
}
