import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../store/db.js';
import { failedCount, pendingCount } from '../store/outbox.js';
import { liveSessions } from '../store/admin-totals.js';
import type { MailTransport } from '../mail/transport.js';
import { RequestDurations } from './request-durations.js';
import { pacedReading } from './paced-reading.js';

export type LoginResult =
  'ok' | 'failed' | 'locked' | 'unverified' | 'rate_limited' | 'challenge_required' | 'disabled';

/** What the rest of the server reports; each call is a counter bump, cheap enough for any path. */
export interface Metrics {
  readonly registry: Registry;
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  login(result: LoginResult): void;
  /** An account reached the failure count that locks it. */
  lockout(): void;
  signup(outcome: 'created' | 'existing_email'): void;
  /** An email address proven with its code. */
  verification(): void;
  mailQueued(): void;
  mailSent(): void;
  mailFailed(): void;
}

/** Read when Prometheus scrapes, so they cost nothing between scrapes. */
export interface MetricsSources {
  /** Mail waiting in the outbox (due or backing off), and mail given up on. */
  outbox(): Promise<{ pending: number; failed: number; oldestPendingAt: number | null }>;
  socketsOpen(): number;
  /** The highest stored chat message id (ids only grow): the message counter follows it. */
  lastMessageId(): Promise<number>;
  /** Sessions not revoked and not expired, in the database (every process's). */
  liveSessions?(): Promise<number>;
}

/**
 * The server's Prometheus metrics in a registry of its own (tests run many servers in one
 * process). Node's default process metrics are added only when metrics are served.
 */
export function createMetrics(sources: () => MetricsSources | undefined, withDefaults: boolean): Metrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const latency = new RequestDurations({
    name: 'mux1_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  // The histogram already counts every request; the counter is read from it at scrape time
  // rather than kept beside it, which would double the metrics' cost on every request.
  new Counter({
    name: 'mux1_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
    async collect() {
      this.reset();
      for (const v of (await latency.get()).values) {
        if (v.metricName === 'mux1_http_request_duration_seconds_count') this.inc(v.labels, v.value);
      }
    },
  });
  const logins = new Counter({
    name: 'mux1_logins_total',
    help: 'Sign-ins (password, second factor, SSH key, passkey, identity provider, device code), by result',
    labelNames: ['result'] as const,
    registers,
  });
  const lockouts = new Counter({
    name: 'mux1_lockouts_total',
    help: 'Accounts locked after too many failed logins',
    registers,
  });
  const signups = new Counter({
    name: 'mux1_signups_total',
    help: 'Signups answered 201, by outcome (a new account, or a notice to an existing one)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const verifications = new Counter({
    name: 'mux1_verifications_total',
    help: 'Email addresses verified with their mailed code',
    registers,
  });
  new Gauge({
    name: 'mux1_sessions_live',
    help: 'Sessions not revoked and not expired, read from the database: the same on every process',
    registers,
    async collect() {
      const s = sources();
      if (s?.liveSessions) this.set(await s.liveSessions());
    },
  });
  const mails = new Counter({
    name: 'mux1_mails_total',
    help: 'Mail queued, sent, and send attempts that failed (retried with backoff)',
    labelNames: ['event'] as const,
    registers,
  });
  new Gauge({
    name: 'mux1_outbox_depth',
    help: 'Mail in the outbox: pending (due or waiting to retry) and failed (given up)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const s = sources();
      if (!s) return;
      const { pending, failed } = await s.outbox();
      this.set({ state: 'pending' }, pending);
      this.set({ state: 'failed' }, failed);
    },
  });
  new Gauge({
    name: 'mux1_outbox_oldest_pending_seconds',
    help: 'Age of the oldest mail not yet sent nor given up (0 when none): how late mail is',
    registers,
    async collect() {
      const s = sources();
      if (!s) return;
      const { oldestPendingAt } = await s.outbox();
      this.set(oldestPendingAt === null ? 0 : Math.max(0, (Date.now() - oldestPendingAt) / 1000));
    },
  });
  new Gauge({
    name: 'mux1_sockets_open',
    help: 'Socket.IO connections open on this process',
    registers,
    collect() {
      const s = sources();
      if (s) this.set(s.socketsOpen());
    },
  });
  let counted = 0;
  new Counter({
    name: 'mux1_chat_messages_stored_total',
    help: 'Chat messages stored, read from the database, so every process reports the whole service: take max() across processes; rate() gives messages per second',
    registers,
    async collect() {
      const s = sources();
      if (!s) return;
      const last = await s.lastMessageId();
      if (last > counted) this.inc(last - counted);
      counted = Math.max(counted, last);
    },
  });
  for (const result of ['ok', 'failed', 'locked', 'disabled'] as const) logins.inc({ result }, 0);
  verifications.inc(0);
  for (const event of ['queued', 'sent', 'failed'] as const) mails.inc({ event }, 0);
  // Present from the start, so rules and dashboards that read them have a series to read.
  for (const outcome of ['created', 'existing_email'] as const) signups.inc({ outcome }, 0);

  return {
    registry,
    httpRequest(method, route, status, seconds) {
      latency.record(method, route, status, seconds);
    },
    login: (result) => logins.inc({ result }),
    lockout: () => lockouts.inc(),
    signup: (outcome) => signups.inc({ outcome }),
    verification: () => verifications.inc(),
    mailQueued: () => mails.inc({ event: 'queued' }),
    mailSent: () => mails.inc({ event: 'sent' }),
    mailFailed: () => mails.inc({ event: 'failed' }),
  };
}

/** From this many live sessions their count costs a scrape milliseconds, and is paced. */
export const LARGE_SESSION_COUNT = 10_000;

/** Scrape-time readings from the database and the live sockets. */
export function serverSources(db: Db, socketsOpen: () => number): MetricsSources {
  return {
    async outbox() {
      const oldest = await db('mail_outbox')
        .whereNull('sent_at')
        .whereNull('failed_at')
        .min<{ at: number | string | null }[]>({ at: 'created_at' });
      const at = oldest[0]?.at;
      return {
        pending: await pendingCount(db),
        failed: await failedCount(db),
        oldestPendingAt: at === null || at === undefined ? null : Number(at),
      };
    },
    socketsOpen,
    // Every live session is an index entry the count reads: 400k of them cost a scrape hundreds of
    // milliseconds (a parallel sequential scan on PostgreSQL), so from LARGE_SESSION_COUNT on the
    // count is paced (paced-reading.ts).
    liveSessions: pacedReading(() => liveSessions(db, Date.now()), {
      isLarge: (n) => n >= LARGE_SESSION_COUNT,
    }),
    async lastMessageId() {
      const row = await db('messages').max<{ id: number | string | null }[]>({ id: 'id' });
      return Number(row[0]?.id ?? 0);
    },
  };
}

/** The transport, counting each send attempt as sent or failed (a failed one is retried later). */
export function countedTransport(transport: MailTransport, metrics: Metrics): MailTransport {
  return {
    async send(mail, from) {
      try {
        await transport.send(mail, from);
      } catch (err) {
        metrics.mailFailed();
        throw err;
      }
      metrics.mailSent();
    },
    close: () => transport.close(),
  };
}
