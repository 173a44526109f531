import type { Knex } from 'knex';

export interface OutgoingMail {
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
}

export interface OutboxRow extends OutgoingMail {
  id: number;
  attempts: number;
}

export async function enqueue(db: Knex, mail: OutgoingMail, at: number): Promise<void> {
  await db('mail_outbox').insert({ ...mail, created_at: at, next_attempt_at: at, attempts: 0 });
}

/** Due, and not held by a live lease: its worker finished, gave it back, or died mid-send. */
const due = (q: Knex.QueryBuilder, now: number) =>
  q
    .whereNull('sent_at')
    .whereNull('failed_at')
    .where('next_attempt_at', '<=', now)
    .andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<', now));

const toRow = (row: Record<string, unknown>): OutboxRow => ({
  id: Number(row.id),
  attempts: Number(row.attempts),
  recipient: String(row.recipient),
  subject: String(row.subject),
  text_body: String(row.text_body),
  html_body: String(row.html_body),
});

/**
 * Claims up to `max` due mails by setting a lease (`locked_until`) and returns them, oldest
 * first. The lease is what keeps a claimed mail away from every other worker (in this process or
 * another) until it is sent or given back; a row whose lease ran out - its worker died mid-send -
 * becomes due again.
 *
 * PostgreSQL: one UPDATE over `SELECT ... FOR UPDATE SKIP LOCKED`, so workers claiming at the
 * same instant take different rows instead of queueing behind each other's row locks.
 * SQLite (one writer at a time): a conditional UPDATE per row, so of two workers only one wins it.
 */
export async function claimDue(db: Knex, now: number, leaseMs: number, max: number): Promise<OutboxRow[]> {
  if (db.client.config.client === 'pg') {
    const ids = due(db('mail_outbox').select('id'), now).orderBy('id').limit(max).forUpdate().skipLocked();
    const rows: Record<string, unknown>[] = await db('mail_outbox')
      .whereIn('id', ids)
      .update({ locked_until: now + leaseMs }, [
        'id',
        'attempts',
        'recipient',
        'subject',
        'text_body',
        'html_body',
      ]);
    // RETURNING promises no order.
    return rows.map(toRow).sort((a, b) => a.id - b.id);
  }
  const candidates: { id: number }[] = await due(db('mail_outbox').select('id'), now)
    .orderBy('id')
    .limit(max);
  const claimed: OutboxRow[] = [];
  for (const { id } of candidates) {
    const n = await due(db('mail_outbox').where({ id }), now).update({ locked_until: now + leaseMs });
    if (n !== 1) continue;
    claimed.push(toRow(await db('mail_outbox').where({ id }).first()));
  }
  return claimed;
}

/**
 * Gives back the lease on claimed mail that was not attempted, so it is due again at once. Only
 * rows still under this very lease (`lockedUntil`): if it ran out and another worker claimed a
 * row meanwhile, that worker's lease is not ours to lift.
 */
export async function release(db: Knex, ids: number[], lockedUntil: number): Promise<void> {
  if (ids.length === 0) return;
  await db('mail_outbox')
    .whereIn('id', ids)
    .whereNull('sent_at')
    .where('locked_until', lockedUntil)
    .update({ locked_until: null });
}

/**
 * What a row keeps once its mail is done with (sent, or given up): the recipient, the subject
 * with any code masked, and no body. The outbox is a delivery queue, not an archive, and a
 * code must not stay readable in the database once it is no longer needed for sending.
 */
const scrubbed = (subject: string) => ({
  subject: subject.replace(/\d{6,}/g, (digits) => '*'.repeat(digits.length)),
  text_body: '',
  html_body: '',
});

export async function markSent(db: Knex, mail: Pick<OutboxRow, 'id' | 'subject'>, at: number): Promise<void> {
  await db('mail_outbox')
    .where({ id: mail.id })
    .update({ sent_at: at, locked_until: null, attempts: db.raw('attempts + 1'), ...scrubbed(mail.subject) });
}

/** Records a failed try; `nextAttemptAt` null means no more tries, so the mail is scrubbed. */
export async function markFailedAttempt(
  db: Knex,
  mail: Pick<OutboxRow, 'id' | 'subject'>,
  error: string,
  nextAttemptAt: number | null,
  at: number,
): Promise<void> {
  await db('mail_outbox')
    .where({ id: mail.id })
    .update({
      attempts: db.raw('attempts + 1'),
      last_error: error.slice(0, 500),
      locked_until: null,
      ...(nextAttemptAt === null
        ? { failed_at: at, ...scrubbed(mail.subject) }
        : { next_attempt_at: nextAttemptAt }),
    });
}

export async function pendingCount(db: Knex): Promise<number> {
  const row = await db('mail_outbox')
    .whereNull('sent_at')
    .whereNull('failed_at')
    .count<{ n: number | string }[]>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/**
 * Mail given up on. A failed row never has sent_at, and saying so lets the count read a range of
 * the (sent_at, failed_at, ...) index instead of every row of the outbox; the retention job keeps
 * that range short.
 */
export async function failedCount(db: Knex): Promise<number> {
  const row = await db('mail_outbox')
    .whereNull('sent_at')
    .whereNotNull('failed_at')
    .count<{ n: number | string }[]>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/** The earliest time a pending mail becomes due, so the worker can sleep until then. */
export async function nextDueAt(db: Knex): Promise<number | null> {
  const row = await db('mail_outbox')
    .whereNull('sent_at')
    .whereNull('failed_at')
    .min<{ t: number | string | null }[]>({ t: 'next_attempt_at' })
    .first();
  return row?.t == null ? null : Number(row.t);
}
