import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import { migrationSource } from './migrations/index.js';

/*
 * Backups of a SQLite database while a server uses it, and their restore. The copy is SQLite's
 * own VACUUM INTO: one read transaction, so it is the database as of one instant however many
 * writes the server makes meanwhile (WAL lets readers and the writer run side by side), where a
 * file copy could catch pages from before and after a write. PostgreSQL has pg_dump for this.
 */

/** Why a backup or restore did not happen; `code` is the CLI's error code for it. */
export class BackupError extends Error {
  override name = 'BackupError';
  constructor(
    readonly code: 'backup_invalid' | 'database_in_use' | 'unsupported_database' | 'usage',
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** What a check of a backup file found. */
export interface BackupCheck {
  file: string;
  bytes: number;
  /** The last migration in the file: the release it belongs to. */
  migration: string | null;
  /** Migrations this release has and the file has not; a restore's server start applies them. */
  pending: string[];
}

type Connection = sqlite3.Database;

function open(path: string, mode: number): Promise<Connection> {
  return new Promise((res, rej) => {
    const db: Connection = new sqlite3.Database(path, mode, (err) => (err ? rej(err) : res(db)));
  });
}

function all<T>(db: Connection, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((res, rej) => db.all(sql, params, (err, rows) => (err ? rej(err) : res(rows as T[]))));
}

function close(db: Connection): Promise<void> {
  return new Promise((res, rej) => db.close((err) => (err ? rej(err) : res())));
}

/** Flushes a finished file to the disk before it is renamed into place. */
function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A sibling of `path` for work in progress, so the final rename stays on one file system. */
const scratchFor = (path: string, what: string) =>
  join(dirname(path), `.${basename(path)}.${what}-${process.pid}-${Date.now()}`);

/** The pg_dump/pg_restore lines an operator runs instead (docs/operations.md has the details). */
export function postgresAdvice(printable: string, action: 'backup' | 'restore', file: string): string {
  return action === 'backup'
    ? `PostgreSQL is backed up with its own tool, not by mux1: pg_dump --format=custom --file '${file}' '${printable}' (see docs/operations.md)`
    : `PostgreSQL is restored with its own tool, not by mux1: pg_restore --clean --if-exists --no-owner --dbname '${printable}' '${file}' (see docs/operations.md)`;
}

/**
 * Checks that `file` is a sound mux1 database: SQLite's integrity_check passes and its migrations
 * are ones this release knows (a backup from a newer release would be run by code that does not
 * know its tables).
 */
export async function checkBackup(file: string): Promise<BackupCheck> {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new BackupError('backup_invalid', `${file}: no such backup file`);
  }
  let db: Connection;
  try {
    db = await open(path, sqlite3.OPEN_READONLY);
  } catch (err) {
    throw new BackupError('backup_invalid', `${file}: cannot be opened (${(err as Error).message})`);
  }
  try {
    let integrity: string;
    let applied: string[];
    try {
      const rows = await all<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
      integrity = rows.map((r) => r.integrity_check).join('; ');
      const tables = await all(
        db,
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'knex_migrations'",
      );
      if (tables.length === 0) throw new Error('it has no migrations table, so it is not a mux1 database');
      applied = (await all<{ name: string }>(db, 'SELECT name FROM knex_migrations ORDER BY id')).map(
        (r) => r.name,
      );
    } catch (err) {
      throw new BackupError(
        'backup_invalid',
        `${file}: not a usable mux1 database (${(err as Error).message})`,
      );
    }
    if (integrity !== 'ok') {
      throw new BackupError(
        'backup_invalid',
        `${file}: SQLite integrity_check failed: ${integrity.slice(0, 300)}`,
      );
    }
    const known = await migrationSource.getMigrations([]);
    const unknown = applied.filter((m) => !known.includes(m));
    if (unknown.length > 0) {
      throw new BackupError(
        'backup_invalid',
        `${file}: made by a newer mux1 (migrations ${unknown.join(', ')} are unknown to this release)`,
      );
    }
    return {
      file: path,
      bytes: statSync(path).size,
      migration: applied.at(-1) ?? null,
      pending: known.filter((m) => !applied.includes(m)),
    };
  } finally {
    await close(db);
  }
}

/**
 * Writes a consistent copy of the SQLite database at `source` to `file` and checks it. The copy
 * is made beside `file` and renamed into place once sound, so `file` is never half written.
 */
export async function backupSqlite(source: string, file: string, options: { force?: boolean } = {}) {
  const target = resolve(file);
  if (target === resolve(source)) {
    throw new BackupError('usage', 'the backup file cannot be the database itself', 2);
  }
  if (!existsSync(source)) throw new BackupError('backup_invalid', `${source}: no such database`);
  if (existsSync(target) && !options.force) {
    throw new BackupError('usage', `${file} exists; choose another name or pass --force to replace it`, 2);
  }
  if (!existsSync(dirname(target))) {
    throw new BackupError('usage', `${dirname(file)}: no such folder for the backup`, 2);
  }
  const scratch = scratchFor(target, 'backup');
  const started = Date.now();
  // Read-write only so SQLite may use the WAL index like the server does; nothing is written.
  const db = await open(source, sqlite3.OPEN_READWRITE);
  try {
    // A server's write holds the lock for milliseconds; waiting for it beats failing.
    await all(db, 'PRAGMA busy_timeout = 10000');
    await all(db, 'VACUUM INTO ?', [scratch]);
  } catch (err) {
    rmSync(scratch, { force: true });
    throw err;
  } finally {
    await close(db);
  }
  try {
    // One self-contained file: no -wal beside it to lose when it is copied elsewhere.
    const copy = await open(scratch, sqlite3.OPEN_READWRITE);
    await all(copy, 'PRAGMA journal_mode = DELETE').finally(() => close(copy));
    const check = await checkBackup(scratch);
    fsyncFile(scratch);
    renameSync(scratch, target);
    return { ...check, file: target, ms: Date.now() - started };
  } finally {
    rmSync(scratch, { force: true });
  }
}

/**
 * True while another connection - a running server - has the SQLite database open. Leaving WAL
 * mode needs every other connection gone, and SQLite refuses at once (busy_timeout 0) otherwise;
 * when it succeeds the WAL is folded into the file, which is then whole on its own.
 */
async function inUse(path: string): Promise<boolean> {
  const db = await open(path, sqlite3.OPEN_READWRITE);
  try {
    await all(db, 'PRAGMA busy_timeout = 0');
    await all(db, 'PRAGMA journal_mode = DELETE');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw err;
  } finally {
    await close(db);
  }
}

/**
 * Replaces the SQLite database at `target` with the backup `file`, once the backup passed its
 * check and no server has the database open. The replaced database is kept beside it, renamed
 * `<name>.before-restore-<time>`, and returned as `keptAside`.
 */
export async function restoreSqlite(target: string, file: string) {
  const check = await checkBackup(file);
  if (resolve(target) === check.file) {
    throw new BackupError('usage', 'the backup file is the database itself', 2);
  }
  const exists = existsSync(target);
  if (exists && (await inUse(target))) {
    throw new BackupError(
      'database_in_use',
      `${target} is open in a running mux1 server; stop it, then restore (the server is left as it was)`,
    );
  }
  const scratch = scratchFor(target, 'restore');
  try {
    copyFileSync(check.file, scratch);
    fsyncFile(scratch);
    let keptAside: string | null = null;
    if (exists) {
      keptAside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(target, keptAside);
    }
    // A -wal or -shm left beside the old file would be read as part of the new one.
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(target + suffix)) {
        if (keptAside) renameSync(target + suffix, keptAside + suffix);
        else rmSync(target + suffix);
      }
    }
    renameSync(scratch, target);
    return { ...check, database: target, keptAside };
  } finally {
    rmSync(scratch, { force: true });
  }
}
