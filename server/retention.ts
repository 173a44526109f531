import type { ServerConfig } from '../config/index.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { Db } from './store/db.js';
import { pruneBatch, RETENTION_KINDS, type RetentionKind } from './store/retention.js';

/*
 * The retention job: every RETENTION_INTERVAL_MINUTES it deletes sessions ended longer ago than
 * RETENTION_SESSIONS_DAYS, audit events older than RETENTION_AUDIT_DAYS and mail done with
 * longer ago than RETENTION_MAIL_DAYS. Without it those tables grow by a session and an audit
 * event with every login, forever. It deletes in small batches with a pause between them, so a
 * backlog of millions (the first run on an old database) never holds SQLite's single writer, or a
 * PostgreSQL table's locks, for more than one short statement at a time.
 */

const DAY = 86_400_000;
const MINUTE = 60_000;

export interface RetentionOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  config: Pick<
    ServerConfig,
    'retentionSessionsDays' | 'retentionAuditDays' | 'retentionMailDays' | 'retentionIntervalMinutes'
  >;
  /** Rows per statement. */
  batch?: number;
  /** Pause between two batches, so other writes get their turn. */
  pauseMs?: number;
  /** Wait before the first run after start, so start-up is not slowed by it. */
  firstRunMs?: number;
}

export type Pruned = Record<RetentionKind, number>;

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Pruned> | undefined;
  private stopped = true;
  /** Set by stop(): a run in progress ends after its current batch. */
  private closing = false;
  private readonly batch: number;
  private readonly pauseMs: number;

  constructor(private readonly options: RetentionOptions) {
    this.batch = options.batch ?? 500;
    this.pauseMs = options.pauseMs ?? 20;
  }

  /** Schedules the runs; nothing when RETENTION_INTERVAL_MINUTES is 0. */
  start(): void {
    const interval = this.options.config.retentionIntervalMinutes * MINUTE;
    if (interval === 0) return;
    this.stopped = false;
    this.closing = false;
    const schedule = (delay: number) => {
      this.timer = setTimeout(() => {
        this.runOnce()
          .catch((err: unknown) => this.options.log.error({ err }, 'retention run failed'))
          .finally(() => {
            if (!this.stopped) schedule(interval);
          });
      }, delay);
      this.timer.unref();
    };
    schedule(this.options.firstRunMs ?? MINUTE);
  }

  /** Stops scheduling and waits for a run in progress to end after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.closing = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One run now (or the one already running): deletes everything aged out, batch by batch. */
  runOnce(): Promise<Pruned> {
    this.running ??= this.prune().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private cutoffs(now: number): Record<RetentionKind, number> {
    const { retentionSessionsDays, retentionAuditDays, retentionMailDays } = this.options.config;
    return {
      expired_sessions: now - retentionSessionsDays * DAY,
      revoked_sessions: now - retentionSessionsDays * DAY,
      audit_events: now - retentionAuditDays * DAY,
      sent_mail: now - retentionMailDays * DAY,
      failed_mail: now - retentionMailDays * DAY,
    };
  }

  private async prune(): Promise<Pruned> {
    const { db, clock, log } = this.options;
    const cutoffs = this.cutoffs(clock.now());
    const pruned = Object.fromEntries(RETENTION_KINDS.map((k) => [k, 0])) as Pruned;
    for (const kind of RETENTION_KINDS) {
      for (;;) {
        // A run stopped by close() ends after the batch in flight; the next start resumes.
        if (this.closing) break;
        const n = await pruneBatch(db, kind, cutoffs[kind], this.batch);
        pruned[kind] += n;
        if (n < this.batch) break;
        await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
      }
    }
    const total = Object.values(pruned).reduce((a, b) => a + b, 0);
    if (total > 0) log.info({ pruned }, `retention deleted ${total} rows`);
    return pruned;
  }
}
