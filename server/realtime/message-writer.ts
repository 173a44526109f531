import type { Db } from '../store/db.js';
import { insertMessages, type NewMessage, type Stored } from '../store/messages.js';

/** Rows per statement: 5 columns each stays under SQLite's oldest bound-variable limit (999). */
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

  constructor(private readonly db: Db) {}

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
  }

  private async drain(): Promise<void> {
    // Let the messages that arrived in the same turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const stored = await insertMessages(
          this.db,
          batch.map((p) => p.row),
        );
        batch.forEach((p, i) => p.resolve(stored[i]!));
      } catch {
        // One bad row (say, its author deleted a moment ago) must not fail its neighbours.
        for (const p of batch) {
          await insertMessages(this.db, [p.row]).then(([stored]) => p.resolve(stored!), p.reject);
        }
      }
    }
  }
}
