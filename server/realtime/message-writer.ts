import type { Db } from '../store/db.js';
import { insertMessages, type NewMessage, type Stored } from '../store/messages.js';
import { addToDay, dayStartOf } from '../store/daily-stats.js';

/** How long stored messages are counted in memory before their day's row is added to. */
const COUNT_FLUSH_MS = 1000;

/**
 * Rows per statement. PostgreSQL's binds five values a row; SQLite's binds the batch as one JSON
 * array and has no such bound. Batches of 300 or 600 stored no faster
 * (bench/profile-chat-throughput.ts).
 */
const MAX_BATCH = 150;

interface Pending {
  row: NewMessage;
  resolve(stored: Stored): void;
  reject(err: unknown): void;
}

/**
 * Stores messages with group commit: what arrives while a write is in flight goes into the
 * next statement. An idle server writes each message at once; a busy one pays for one commit
 * per batch instead of per message (on SQLite a single insert costs about 15 times a row of a
 * batch). Order is kept: messages are written, and so broadcast, in the order they came in.
 *
 * A resend (same author, same client_id) is answered with the first message's id and marked
 * `duplicate`, whether the first is long stored, in the same batch, or in a batch still in
 * flight: the database's unique index decides, so another server process racing this one is
 * settled the same way.
 */
export class MessageWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;
  /** Messages stored per UTC day (its start) not yet added to daily_stats. */
  private counted = new Map<number, number>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db) {}

  /**
   * The admin's messages-per-day (daily_stats) is added to once a second at most, not per
   * message: a statement per message would double what an idle server writes for chat. A process
   * that dies loses at most that second of counting, never a message.
   */
  private count(rows: NewMessage[]): void {
    for (const row of rows) {
      const day = dayStartOf(row.created_at);
      this.counted.set(day, (this.counted.get(day) ?? 0) + 1);
    }
    this.flushTimer ??= setTimeout(() => void this.flushCounts(), COUNT_FLUSH_MS).unref();
  }

  private async flushCounts(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const counted = [...this.counted];
    this.counted.clear();
    for (const [day, n] of counted) await addToDay(this.db, day, { messages: n }).catch(() => undefined);
  }

  write(row: NewMessage): Promise<Stored> {
    return new Promise<Stored>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.running ??= this.drain().finally(() => {
        this.running = undefined;
      });
    });
  }

  /** Resolves once everything queued is stored (or has failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
    await this.flushCounts();
  }

  /**
   * Writes the queue batch by batch. Once a batch is stored, the next one's statement is sent
   * before the stored batch is answered: answering starts each message's broadcast, and with
   * the statement already at the database (SQLite writes on a worker thread, PostgreSQL on its
   * own server) the database writes the next batch while this process sends the last one,
   * rather than each waiting for the other. Batches are still written one after another, and
   * answered in the order they were written.
   */
  private async drain(): Promise<void> {
    // Let the messages that arrived in the same turn of the event loop join the first batch.
    await nextTurn();
    let batch = this.queue.splice(0, MAX_BATCH);
    let writing = this.insert(batch);
    while (batch.length > 0) {
      const stored = await writing;
      if (stored === undefined) {
        // One bad row (say, its author deleted a moment ago) must not fail its neighbours; they
        // are written one by one before anything that came after them.
        for (const p of batch) {
          await insertMessages(this.db, [p.row]).then(([one]) => {
            p.resolve(one!);
            if (!one!.duplicate) this.count([p.row]);
          }, p.reject);
        }
        batch = this.queue.splice(0, MAX_BATCH);
        writing = this.insert(batch);
        continue;
      }
      const next = this.queue.splice(0, MAX_BATCH);
      if (next.length > 0) {
        writing = this.insert(next);
        // knex hands the statement to the database a few promise steps later: after them, not
        // behind the broadcasts that answering this batch starts.
        await nextTurn();
      }
      batch.forEach((p, i) => p.resolve(stored[i]!));
      this.count(batch.filter((_, i) => !stored[i]!.duplicate).map((p) => p.row));
      batch = next;
    }
  }

  /** The batch's one statement; undefined when it failed, so that its rows are tried alone. */
  private insert(batch: Pending[]): Promise<Stored[] | undefined> {
    if (batch.length === 0) return Promise.resolve(undefined);
    return insertMessages(
      this.db,
      batch.map((p) => p.row),
    ).catch(() => undefined);
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
