import type { Knex } from 'knex';

/*
 * What the retention job deletes, one small batch per call. Each batch is a range of an index
 * (migration 006 and the outbox's own) found by a subquery with a LIMIT, so a call touches at most
 * `batch` rows and returns quickly however much has aged out; the job calls again until a batch
 * comes back short.
 */

export type RetentionKind =
  'expired_sessions' | 'revoked_sessions' | 'audit_events' | 'sent_mail' | 'failed_mail';

export const RETENTION_KINDS: RetentionKind[] = [
  'expired_sessions',
  'revoked_sessions',
  'audit_events',
  'sent_mail',
  'failed_mail',
];

/** The rows of one kind older than `cutoff` (ms), as a query for their ids. */
function aged(db: Knex, kind: RetentionKind, cutoff: number): { table: string; ids: Knex.QueryBuilder } {
  switch (kind) {
    case 'expired_sessions':
      return { table: 'sessions', ids: db('sessions').select('id').where('expires_at', '<', cutoff) };
    case 'revoked_sessions':
      return { table: 'sessions', ids: db('sessions').select('id').where('revoked_at', '<', cutoff) };
    case 'audit_events':
      return { table: 'audit_events', ids: db('audit_events').select('id').where('at', '<', cutoff) };
    case 'sent_mail':
      return { table: 'mail_outbox', ids: db('mail_outbox').select('id').where('sent_at', '<', cutoff) };
    case 'failed_mail':
      // A given-up mail never has sent_at: saying so reads the (sent_at, failed_at, ...) index.
      return {
        table: 'mail_outbox',
        ids: db('mail_outbox').select('id').whereNull('sent_at').where('failed_at', '<', cutoff),
      };
  }
}

/** Deletes up to `batch` rows of one kind older than `cutoff`; returns how many it deleted. */
export async function pruneBatch(
  db: Knex,
  kind: RetentionKind,
  cutoff: number,
  batch: number,
): Promise<number> {
  const { table, ids } = aged(db, kind, cutoff);
  return db(table).whereIn('id', ids.limit(batch)).delete();
}
