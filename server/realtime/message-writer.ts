import type { Db } from '../store/db.js';
import { insertMessage, insertMessages, type NewMessage } from '../store/messages.js';

/** Rows per statement: 4 columns each stays under SQLite's oldest bound-variable limit (999). */
const MAX_BATCH = 200;

interface Pending {
  row: NewMessage;
  resolve(id: number): void;
  reject(err: unknown): void;
}

/**
 * Stores messages with group commit: what arrives while a write is in flight goes into the
 * next statement. An idle server writes each message at once; a busy one pays for one commit
 * per batch instead of per message (on SQLite a single insert costs about 15 times a row of a
 * batch). Order is kept: messages are written, and so broadcast, in the order they came in.
 */
export class MessageWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  /** Resolves with the stored message's id. */
  write(row: NewMessage): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.running ??= this.drain().finally(() => {
        this.running = undefined;
      });
    });
  }

  /** Resolves once everything queued is stored (or has failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the messages that arrived in the same turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const ids = await insertMessages(
          this.db,
          batch.map((p) => p.row),
        );
        batch.forEach((p, i) => p.resolve(ids[i]!));
      } catch {
        // One bad row (say, its author deleted a moment ago) must not fail its neighbours.
        for (const p of batch) await insertMessage(this.db, p.row).then(p.resolve, p.reject);
      }
    }
  }
}
