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

/**
 * Claims due mail by setting a lease (`locked_until`); a row whose lease ran out - its worker
 * died mid-send - becomes due again. Each row is claimed by one conditional UPDATE, so two
 * workers on the same database never both take it.
 */
export async function claimDue(db: Knex, now: number, leaseMs: number, max: number): Promise<OutboxRow[]> {
  const candidates = await db('mail_outbox')
    .select('id')
    .whereNull('sent_at')
    .whereNull('failed_at')
    .where('next_attempt_at', '<=', now)
    .andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<', now))
    .orderBy('id')
    .limit(max);
  const claimed: OutboxRow[] = [];
  for (const { id } of candidates) {
    const n = await db('mail_outbox')
      .where({ id })
      .whereNull('sent_at')
      .andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<', now))
      .update({ locked_until: now + leaseMs });
    if (n !== 1) continue;
    const row = await db('mail_outbox').where({ id }).first();
    claimed.push({
      id: Number(row.id),
      attempts: Number(row.attempts),
      recipient: row.recipient,
      subject: row.subject,
      text_body: row.text_body,
      html_body: row.html_body,
    });
  }
  return claimed;
}

/** Gives back the lease on claimed mail that was not attempted, so it is due again at once. */
export async function release(db: Knex, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db('mail_outbox').whereIn('id', ids).whereNull('sent_at').update({ locked_until: null });
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

/** The earliest time a pending mail becomes due, so the worker can sleep until then. */
export async function nextDueAt(db: Knex): Promise<number | null> {
  const row = await db('mail_outbox')
    .whereNull('sent_at')
    .whereNull('failed_at')
    .min<{ t: number | string | null }[]>({ t: 'next_attempt_at' })
    .first();
  return row?.t == null ? null : Number(row.t);
}
