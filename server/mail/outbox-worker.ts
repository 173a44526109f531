import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import * as outbox from '../store/outbox.js';
import type { MailTransport } from './transport.js';

export interface OutboxWorkerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  transport: MailTransport;
  from: string;
  /** Delay before retry n (1-based); the default starts at 5 s and doubles, up to 10 min. */
  backoffMs?: (attempt: number) => number;
  /** Attempts before a mail is left in the outbox as failed. */
  maxAttempts?: number;
  /** How often to look for due mail when nothing pokes the worker. */
  pollMs?: number;
}

export const defaultBackoff = (attempt: number): number => Math.min(5000 * 2 ** (attempt - 1), 600_000);

/** How long a claimed batch stays this worker's; after that another worker may claim it. */
export const CLAIM_LEASE_MS = 2 * 60_000;
/**
 * A mail is only handed to SMTP while at least this much of its lease is left, so its lease
 * cannot run out mid-send and let another worker (another process) send it a second time. One
 * send is bounded well below this by the transport's timeouts (10 s connect, 10 s greeting,
 * 20 s without traffic).
 */
export const SEND_BUDGET_MS = 60_000;
const BATCH = 10;

/**
 * Sends what the accounts code put in the outbox, in the background, with retries. A signup
 * therefore never waits for SMTP, and a mail survives a crash because it is a database row.
 */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;
  private readonly backoff: (attempt: number) => number;
  private readonly maxAttempts: number;
  private readonly pollMs: number;

  constructor(private readonly o: OutboxWorkerOptions) {
    this.backoff = o.backoffMs ?? defaultBackoff;
    this.maxAttempts = o.maxAttempts ?? 10;
    this.pollMs = o.pollMs ?? 1000;
  }

  start(): void {
    this.stopped = false;
    this.poke();
  }

  /** Run soon: called after a mail is queued, so it leaves within milliseconds. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain()
      .catch((err) => this.o.log.error({ err }, 'outbox worker pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.poke();
        } else {
          this.timer = setTimeout(() => this.poke(), this.pollMs);
          this.timer.unref();
        }
      });
  }

  /** Stops between mails: the one being sent finishes, the rest stay queued for next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    const { db, clock, log, transport, from } = this.o;
    while (!this.stopped) {
      const claimedAt = clock.now();
      const batch = await outbox.claimDue(db, claimedAt, CLAIM_LEASE_MS, BATCH);
      if (batch.length === 0) return;
      for (const [i, mail] of batch.entries()) {
        const leaseLeft = claimedAt + CLAIM_LEASE_MS - clock.now();
        if (this.stopped || leaseLeft < SEND_BUDGET_MS) {
          // Claimed but not tried: without this, they would wait out the lease (after a stop),
          // or be sent on a lease too short to finish on (a slow batch): claim them afresh.
          await outbox.release(
            db,
            batch.slice(i).map((m) => m.id),
            claimedAt + CLAIM_LEASE_MS,
          );
          if (this.stopped) return;
          break;
        }
        try {
          await transport.send(mail, from);
          await outbox.markSent(db, mail, clock.now());
          log.info({ mailId: mail.id, attempts: mail.attempts + 1 }, 'mail sent');
        } catch (err) {
          const attempt = mail.attempts + 1;
          const giveUp = attempt >= this.maxAttempts;
          const next = giveUp ? null : clock.now() + this.backoff(attempt);
          await outbox.markFailedAttempt(db, mail, (err as Error).message ?? String(err), next, clock.now());
          log.warn(
            {
              mailId: mail.id,
              attempt,
              err: (err as Error).message,
              retryAt: next && new Date(next).toISOString(),
            },
            giveUp ? 'mail failed for good; given up, its body removed' : 'mail send failed; will retry',
          );
        }
      }
    }
  }
}
