import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { beforeDestroy, readerOf, targetOf, type DatabaseTarget, type Db } from './db.js';
import type { JsonPage } from './json-pages.js';
import * as userMessages from './user-messages.js';
import * as audit from './audit.js';

/**
 * The account export's pages, read in a thread of their own.
 *
 * An export passes megabytes through the process: each page's JSON comes from the database (as
 * a string from SQLite, as socket reads parsed by the PostgreSQL driver) and goes out to the
 * client. Read on the event loop on PostgreSQL, the driver's buffers filled the heap every
 * request shares: beside four exports of the heavy user the main heap went through a full
 * mark-compact every 1.3 s, each with 20-45 ms of the event loop's time in steps of up to 12 ms,
 * and /api/me's p99 doubled (bench/growth.ts, export case). Here the thread reads the page; the
 * event loop gets only its text, a string in the young generation that the next scavenge frees
 * once it is written out. Not bytes: an ArrayBuffer handed over costs no copy, but the memory
 * outside the heap counts toward the main heap's full collections (on SQLite, /api/me's p99
 * during the exports went to 4.3x idle with transferred bytes).
 *
 * One thread per database handle, started at the first page and ended after a minute without
 * one (an export is rare; the thread and its connection hold memory), or with the handle. It
 * reads on a connection of its own (db.ts, openLongReader). An in-memory SQLite database exists
 * only on its one connection, so its pages are read in the process, on the reader.
 */

/** What the thread is asked: one page of one of the export's long parts. */
export type PageRequest =
  | { part: 'messages'; userId: number; afterId: number; upToId: number; limit: number }
  | { part: 'activity'; userId: number; before: number | undefined; limit: number };

export type PageAnswer = { id: number } & ({ page: JsonPage } | { error: string });

export interface ExportReader {
  /**
   * Resolves once pages can be read without waiting for the thread to start (150-250 ms), so
   * an export can keep that wait out of the time its reads take (accounts/account.ts rests in
   * proportion to them).
   */
  ready(): Promise<void>;
  read(request: PageRequest): Promise<JsonPage>;
}

/** Reads one page on `db`: the thread's work, and the in-process reader's. */
export function readPage(db: Db, request: PageRequest): Promise<JsonPage> {
  return request.part === 'messages'
    ? userMessages.exportPageOfUser(db, request.userId, request)
    : audit.exportPageOfUser(db, request.userId, request);
}

/** How long the thread stays after its last page, waiting for the next export. */
export const THREAD_IDLE_MS = 60_000;

const readersByDb = new WeakMap<Db, ExportReader>();

/** The export reader of a database handle (one per server). */
export function exportReaderOf(db: Db): ExportReader {
  let reader = readersByDb.get(db);
  if (!reader) {
    const target = targetOf(db);
    reader =
      target && target.connection !== ':memory:'
        ? new ThreadReader(db, target)
        : inProcessReader(readerOf(db));
    readersByDb.set(db, reader);
  }
  return reader;
}

function inProcessReader(db: Db): ExportReader {
  return {
    ready: async () => {},
    read: (request) => readPage(db, request),
  };
}

/**
 * Starts the thread. Run from source (tests, benchmarks) its module is TypeScript too: Node 20
 * does not carry the process's loader hooks (`--import tsx`) into a worker, so the thread
 * registers them before it loads its module.
 */
function startThread(target: DatabaseTarget): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./export-reader-thread.js', import.meta.url), { workerData: target });
  }
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const thread = fileURLToPath(new URL('./export-reader-thread.ts', import.meta.url));
  const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(thread)});`;
  return new Worker(code, { eval: true, workerData: target });
}

interface Waiting {
  resolve(page: JsonPage): void;
  reject(err: Error): void;
}

class ThreadReader implements ExportReader {
  #worker: Worker | undefined;
  /** Resolves when the thread has loaded what it reads with. */
  #started: Promise<void> = Promise.resolve();
  #waiting = new Map<number, Waiting>();
  #nextId = 0;
  #idle: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    db: Db,
    private readonly target: DatabaseTarget,
  ) {
    beforeDestroy(db, () => this.#close());
  }

  ready(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the database is closed'));
    clearTimeout(this.#idle);
    this.#worker ??= this.#start();
    return this.#started;
  }

  read(request: PageRequest): Promise<JsonPage> {
    if (this.#closed) return Promise.reject(new Error('the database is closed'));
    const worker = (this.#worker ??= this.#start());
    clearTimeout(this.#idle);
    // Only a page being read keeps the process alive; an idle thread never holds up an exit.
    worker.ref();
    const id = ++this.#nextId;
    return new Promise<JsonPage>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, request });
    });
  }

  #start(): Worker {
    const worker = startThread(this.target);
    // A thread that fails to start rejects this too; the export's first read then fails the same.
    this.#started = new Promise<void>((resolve, reject) => {
      worker.once('message', () => {
        resolve();
        // Started for an export that then asked for no page (it failed before its first): idle.
        this.#idleUnlessBusy(worker);
      });
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('the export thread ended before it started')));
    });
    this.#started.catch(() => undefined);
    worker.on('message', (answer: PageAnswer | 'started') => {
      if (answer !== 'started') this.#answered(answer);
    });
    // A thread that failed (it could not open the database, it ran out of memory) fails the
    // pages it owed; the next page starts a new one.
    const failed = (err: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#failAll(err);
    };
    worker.on('error', failed);
    worker.on('exit', (code) => failed(new Error(`the export thread ended (exit code ${code})`)));
    return worker;
  }

  #answered(answer: PageAnswer): void {
    const waiting = this.#waiting.get(answer.id);
    if (!waiting) return;
    this.#waiting.delete(answer.id);
    if ('error' in answer) waiting.reject(new Error(answer.error));
    else waiting.resolve(answer.page);
    if (this.#worker) this.#idleUnlessBusy(this.#worker);
  }

  /** With no page owed, lets the process exit past the thread, and ends it after THREAD_IDLE_MS. */
  #idleUnlessBusy(worker: Worker): void {
    if (this.#waiting.size > 0 || this.#worker !== worker) return;
    worker.unref();
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      if (this.#worker === worker && this.#waiting.size === 0) {
        this.#worker = undefined;
        worker.postMessage({ close: true });
      }
    }, THREAD_IDLE_MS).unref();
  }

  /** Fails every page owed. */
  #failAll(err: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(err);
  }

  async #close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idle);
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll(new Error('the database is closed'));
    // The thread destroys its connection before it ends, so a SQLite file is left closed.
    if (worker)
      await new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage({ close: true });
      });
  }
}
