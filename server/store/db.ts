import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from './migrations/index.js';
import { pgConnection, withMigrationLock } from './pg.js';

export type Db = Knex;

/** How long a SQLite writer waits for a lock before the request gives up (see docs/architecture.md). */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

export interface DatabaseTarget {
  client: 'sqlite3' | 'pg';
  /** File path for SQLite, connection string for PostgreSQL. */
  connection: string;
}

/** `postgres://` selects PostgreSQL; anything else is a SQLite path or `sqlite:` URL. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { client: 'pg', connection: url };
  let path = url;
  if (/^sqlite:/i.test(url)) {
    path = url.replace(/^sqlite:(\/\/)?/i, '');
  }
  if (path === '') throw new Error('DATABASE_URL: empty SQLite path');
  return { client: 'sqlite3', connection: path === ':memory:' ? path : resolve(path) };
}

/**
 * Makes the SQLite file's folder, and names DATABASE_URL when the path cannot hold a database.
 * Done by the first real use (migrations, at start), not when the server is built, so start-up
 * fails inside listen() with one line an operator can act on instead of a bare errno.
 */
function prepareSqliteFile(db: Db): void {
  const connection = (db.client.config as Knex.Config).connection as { filename?: string } | undefined;
  const path = connection?.filename;
  if (db.client.config.client !== 'sqlite3' || !path || path === ':memory:') return;
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(`DATABASE_URL ${path}: cannot create its folder (${code})`);
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new Error(`DATABASE_URL ${path}: is a folder, not a SQLite file`);
  }
}

export interface OpenOptions {
  /** Most connections held open to PostgreSQL (DATABASE_POOL_MAX); SQLite always uses one. */
  poolMax?: number;
}

export function openDatabase(url: string, options: OpenOptions = {}): Db {
  const target = parseDatabaseUrl(url);
  const db =
    target.client === 'pg' ? pgHandle(target.connection, options.poolMax ?? 10) : sqliteWriter(target);
  targets.set(db, target);
  return db;
}

/** Where each handle openDatabase made reads and writes: for a thread that opens its own. */
const targets = new WeakMap<Db, DatabaseTarget>();

/** The database a handle from openDatabase opened; undefined for a handle made elsewhere. */
export function targetOf(db: Db): DatabaseTarget | undefined {
  return targets.get(db);
}

function pgHandle(connectionString: string, poolMax: number): Db {
  return knexFactory({
    client: 'pg',
    connection: pgConnection(connectionString),
    // min 0: an idle process holds no connection, so N processes x pool size only binds under load.
    pool: { min: 0, max: poolMax },
    // A request waits this long for a free connection, then fails (500) instead of queueing forever.
    acquireConnectionTimeout: 10_000,
  });
}

function sqliteWriter(target: DatabaseTarget): Db {
  // One connection: SQLite has a single writer anyway, and one connection keeps
  // transactions from waiting on each other inside the same process.
  const writer = sqliteHandle(target.connection, 1, [
    'PRAGMA journal_mode = WAL',
    'PRAGMA synchronous = NORMAL',
    'PRAGMA foreign_keys = ON',
    `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`,
    // Deleted and overwritten rows (sent mail with its code, replaced codes, old sessions)
    // are zeroed rather than left readable in free space in the file.
    'PRAGMA secure_delete = ON',
  ]);
  if (target.connection !== ':memory:') attachReader(writer, target.connection);
  return writer;
}

/**
 * Runs `first` before the handle's own destroy, so every caller that destroys a handle (the
 * server, `mux1 db`, tests) also ends what was attached to it. Knex defines destroy as a
 * configurable, read-only property; it is redefined, not assigned.
 */
export function beforeDestroy(db: Db, first: () => Promise<unknown>): void {
  const destroy = db.destroy.bind(db);
  Object.defineProperty(db, 'destroy', {
    configurable: true,
    value: async (callback?: (err?: unknown) => void) => {
      await first();
      return destroy(callback as never);
    },
  });
}

/**
 * A handle of one connection that only reads, for a thread of its own that reads on and on
 * (store/export-reader.ts): on SQLite a read-only connection to the file, which in WAL mode
 * neither waits for the writer nor holds it up; on PostgreSQL a pool of one.
 */
export function openLongReader(target: DatabaseTarget): Db {
  if (target.client === 'pg') return pgHandle(target.connection, 1);
  return sqliteHandle(target.connection, 1, READ_ONLY_PRAGMAS, 0);
}

type SqliteConnection = { run(sql: string, cb: (err: Error | null) => void): void };

function sqliteHandle(
  filename: string,
  connections: number,
  pragmas: string[],
  min = connections === 1 ? 1 : 0,
): Db {
  return knexFactory({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min,
      max: connections,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, c: unknown) => void) {
        const next = (i: number): void => {
          if (i === pragmas.length) return done(null, conn);
          conn.run(pragmas[i]!, (err) => (err ? done(err, conn) : next(i + 1)));
        };
        next(0);
      },
    },
  });
}

/**
 * Connections that only read, beside SQLite's single writer: in WAL mode a reader sees the last
 * committed state and neither waits for the writer nor holds it up, so a long read never makes
 * the writer's queue - and every request behind it - wait. Two of them: each query runs on a
 * libuv thread, and the pool (4 by default) also serves the writer and scrypt. The account
 * export reads on a connection of its own, in a thread of its own (store/export-reader.ts).
 */
export const SQLITE_READERS = 2;

const READ_ONLY_PRAGMAS = [
  `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`,
  // A query sent here by mistake that would write fails instead of competing with the writer.
  'PRAGMA query_only = ON',
];

const readers = new WeakMap<Db, Db>();

function attachReader(writer: Db, filename: string): void {
  const reader = sqliteHandle(filename, SQLITE_READERS, READ_ONLY_PRAGMAS);
  readers.set(writer, reader);
  sendPlainReadsTo(writer, reader);
  // Closing the database closes its readers too, so no caller leaves a connection open.
  beforeDestroy(writer, () => reader.destroy());
}

/** Query builder methods that only read; `.first()` and `.pluck()` are selects too. */
const READ_METHODS = new Set(['select', 'first', 'pluck']);

interface BuilderShape {
  _method?: string;
  _connection?: unknown;
  _single?: { lock?: unknown };
}
type RunnerOf = (builder: BuilderShape) => unknown;

/**
 * The store rule for reads: a plain lookup - a select built with the query builder on the
 * database handle, outside any transaction - runs on a reader connection, so on SQLite no read
 * waits in the single writer's queue behind a slow request (an export, a long write) and the
 * writer serves writes only. Every caller gets this without choosing a connection.
 *
 * What stays on the writer: inserts, updates, deletes, schema work, raw SQL (it may write, and
 * PRAGMAs belong to their connection), a select that locks rows or names its connection, and
 * everything inside a transaction - Knex gives a transaction a client of its own, made from the
 * client's prototype, so this per-handle runner never sees its queries and a read there still
 * sees the transaction's own uncommitted writes. A read after the caller's own write has
 * committed sees that write: in WAL mode each read on a reader starts from the last commit.
 * The query's events ('query', 'query-response') come from the reader handle, where it ran.
 */
function sendPlainReadsTo(writer: Db, reader: Db): void {
  const client = writer.client as { runner: RunnerOf };
  const onWriter = client.runner.bind(client) as RunnerOf;
  const readerClient = reader.client as { runner: RunnerOf };
  const onReader = readerClient.runner.bind(readerClient) as RunnerOf;
  client.runner = (builder) =>
    READ_METHODS.has(builder._method ?? '') && !builder._connection && !builder._single?.lock
      ? onReader(builder)
      : onWriter(builder);
}

/**
 * Where reads beside the writer go: the read-only connections of a SQLite file, else the
 * database itself (PostgreSQL's pool already gives each query a connection of its own; an
 * in-memory SQLite database exists only on its one connection). What it returns reads
 * committed data only. Plain selects on the database handle come here by themselves
 * (sendPlainReadsTo); naming the reader keeps a call site's intent visible where it matters most.
 *
 * The store rule for credentials: a lookup that only finds what a credential names - the
 * account a login names, the session or access token a bearer shows, a socket's session when
 * it is checked again - reads here; whatever the request then writes (a claimed failure, a
 * touch, a new session) goes to the writer, and a check that must see its own transaction's
 * writes stays in it. Unauthenticated floods are mostly such lookups, and on SQLite the writer
 * serves one query at a time: there they would queue in front of every write. In WAL mode a
 * query here sees every commit that ended before it began, so a revocation committed before a
 * request arrives is always seen (the credential cache's own rule covers the ones during it).
 */
export function readerOf(db: Db): Db {
  return readers.get(db) ?? db;
}

/** PostgreSQL: one process at a time (see withMigrationLock); SQLite serialises by itself. */
function oneAtATime<T>(db: Db, work: () => Promise<T>): Promise<T> {
  if (db.client.config.client !== 'pg') return work();
  return withMigrationLock(db.client.config.connection as Knex.PgConnectionConfig, work);
}

export async function migrateToLatest(db: Db): Promise<void> {
  prepareSqliteFile(db);
  await oneAtATime(db, () => db.migrate.latest({ migrationSource }));
}

export async function rollback(db: Db): Promise<[number, string[]]> {
  prepareSqliteFile(db);
  return oneAtATime(db, () => db.migrate.rollback({ migrationSource }));
}

export async function migrationStatus(db: Db): Promise<{ done: string[]; pending: string[] }> {
  prepareSqliteFile(db);
  const [done, pending] = (await db.migrate.list({ migrationSource })) as [
    { name: string }[],
    { file: string }[] | string[],
  ];
  return {
    done: done.map((m) => m.name),
    pending: pending.map((m) => (typeof m === 'string' ? m : m.file)),
  };
}

/** True for an insert or update refused by a unique index, on PostgreSQL (23505) or SQLite. */
/**
 * A PostgreSQL transaction that lost a race with another (deadlock, serialization failure): it was
 * rolled back whole, so running it again is safe.
 */
export function isLostRace(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (e.code === '23505') return true;
  return e.code === 'SQLITE_CONSTRAINT' && /UNIQUE constraint failed/.test(String(e.message));
}
