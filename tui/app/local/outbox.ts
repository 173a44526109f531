import { randomUUID } from 'node:crypto';
import type { JsonFile } from './json-file.js';

/** A message the user sent that the server has not acknowledged yet. */
export interface Outgoing {
  /** Chosen once and sent on every attempt, so the server stores the message once. */
  client_id: string;
  room: string;
  text: string;
  queued_at: number;
  /** Why the server refused it; such a message waits for the user to retry or drop it. */
  refused?: string;
}

/**
 * Failures that say nothing about the message itself (no connection, no answer in time, the server
 * busy or restarting): the message stays queued and goes out again when the connection is back.
 * Any other code is the server refusing this message (too long, rate limited, not allowed).
 */
const NOT_ANSWERED = new Set([
  'timeout',
  'disconnected',
  'closed',
  'unreachable',
  'unavailable',
  'internal_error',
]);

/** How soon a message that got no answer on a live connection is tried again. */
const RETRY_MS = 5000;

export const isOutgoingList = (data: unknown): data is Outgoing[] =>
  Array.isArray(data) &&
  data.every(
    (o) =>
      typeof o === 'object' &&
      o !== null &&
      typeof (o as Outgoing).client_id === 'string' &&
      typeof (o as Outgoing).room === 'string' &&
      typeof (o as Outgoing).text === 'string' &&
      typeof (o as Outgoing).queued_at === 'number' &&
      ((o as Outgoing).refused === undefined || typeof (o as Outgoing).refused === 'string'),
  );

/**
 * The messages on their way, in the order they were written: kept in a private file, so neither a
 * dropped connection nor a closed TUI loses a line, and sent one at a time, so they arrive in order.
 */
export class Outbox {
  private items: Outgoing[] = [];
  private readonly listeners = new Set<() => void>();
  private running: Promise<void> | undefined;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Until the file is read, nothing is written: a write then would replace what it holds. */
  private loaded: boolean;

  constructor(
    private readonly send: (o: Outgoing) => Promise<number>,
    private readonly file?: JsonFile<Outgoing[]>,
    /** Told when the server refuses a message, or when the file cannot be kept. */
    private readonly warn: (text: string) => void = () => {},
  ) {
    this.loaded = !file;
  }

  /** Loads what a previous run left unsent (before anything is added). */
  async load(): Promise<void> {
    if (!this.file) return;
    const { value, warning } = await this.file.read();
    if (warning) this.warn(warning);
    const queued = new Set(this.items.map((o) => o.client_id));
    const addedMeanwhile = this.items.length > 0;
    this.items = [...value.filter((o) => !queued.has(o.client_id)), ...this.items];
    this.loaded = true;
    this.changed(addedMeanwhile);
  }

  list(room?: string): readonly Outgoing[] {
    return room === undefined ? this.items : this.items.filter((o) => o.room === room);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues a message and starts sending. */
  add(room: string, text: string): Outgoing {
    const item: Outgoing = { client_id: randomUUID(), room, text, queued_at: Date.now() };
    this.items.push(item);
    this.changed();
    void this.flush();
    return item;
  }

  /** Puts the refused messages back in line. */
  retry(): number {
    const refused = this.items.filter((o) => o.refused !== undefined);
    for (const o of refused) delete o.refused;
    if (refused.length) {
      this.changed();
      void this.flush();
    }
    return refused.length;
  }

  /** Forgets the refused messages. */
  drop(): number {
    const before = this.items.length;
    this.items = this.items.filter((o) => o.refused === undefined);
    const dropped = before - this.items.length;
    if (dropped) this.changed();
    return dropped;
  }

  /**
   * Sends what is queued, in order; stops at the first message that got no answer. Called while it
   * runs, it goes round once more, and the promise settles when that is done too.
   */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    clearTimeout(this.retryTimer);
    do {
      this.again = false;
      for (;;) {
        const next = this.items.find((o) => o.refused === undefined);
        if (!next || this.closed) return;
        try {
          await this.send(next);
          this.items = this.items.filter((o) => o !== next);
          this.changed();
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'internal_error';
          if (NOT_ANSWERED.has(code)) {
            if (!this.closed) this.retryTimer = setTimeout(() => void this.flush(), RETRY_MS);
            break;
          }
          next.refused = (err as Error).message;
          this.changed();
          this.warn(`not sent to ${next.room}: ${next.refused} · /retry sends it again, /drop deletes it`);
        }
      }
    } while (this.again);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
  }

  private changed(save = true): void {
    for (const listener of this.listeners) listener();
    if (save && this.loaded && this.file) {
      this.file
        .write(this.items)
        .catch((err: Error) => this.warn(`unsent messages not saved: ${err.message}`));
    }
  }
}
