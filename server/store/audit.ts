import type { Knex } from 'knex';

export type AuditType =
  | 'signup'
  | 'signup_existing_email'
  | 'email_verified'
  | 'verification_failed'
  | 'verification_resent'
  | 'login'
  | 'login_failed'
  | 'login_locked'
  | 'logout'
  | 'password_reset_requested'
  | 'password_reset_failed'
  | 'password_reset'
  | 'password_changed'
  | 'password_change_failed'
  | 'account_deletion_failed'
  | 'session_revoked'
  | 'other_sessions_revoked'
  | 'session_ended_by_limit'
  | 'wrong_codes_limit_reached'
  | 'account_exported'
  | 'account_deleted'
  | 'login_needs_code'
  | 'login_code_failed'
  | 'backup_code_used'
  | 'two_factor_setup'
  | 'two_factor_enabled'
  | 'two_factor_disabled'
  | 'two_factor_change_failed'
  | 'backup_codes_regenerated'
  | 'token_created'
  | 'token_first_used'
  | 'token_revoked'
  | 'ssh_key_added'
  | 'ssh_key_removed'
  | 'ssh_key_policy_changed'
  | 'ssh_login_failed';

export interface AuditEvent {
  user_id: number | null;
  type: AuditType;
  at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface StoredAuditEvent extends AuditEvent {
  id: number;
}

/** Where the request behind an event came from (the accounts' RequestMeta fits). */
export interface EventSource {
  ip: string | null;
  userAgent: string | null;
}

/** The one way an audit row is written: what happened, to whom, when, and from where. */
export async function record(
  db: Knex,
  type: AuditType,
  userId: number | null,
  at: number,
  from: EventSource,
): Promise<void> {
  await db('audit_events').insert({
    user_id: userId,
    type,
    at,
    ip: from.ip,
    user_agent: from.userAgent,
  } satisfies AuditEvent);
}

const toEvent = (row: Record<string, unknown>): StoredAuditEvent => ({
  id: Number(row.id),
  user_id: row.user_id == null ? null : Number(row.user_id),
  type: row.type as AuditType,
  at: Number(row.at),
  ip: row.ip == null ? null : String(row.ip),
  user_agent: row.user_agent == null ? null : String(row.user_agent),
});

/**
 * A user's events newest first, older than the event id `before` when given. Paged by id, not
 * time: ids are unique and only grow, so a page boundary never skips or repeats an event.
 */
export async function listOfUser(
  db: Knex,
  userId: number,
  page: { before?: number; limit?: number } = {},
): Promise<StoredAuditEvent[]> {
  const query = db('audit_events').where({ user_id: userId }).orderBy('id', 'desc');
  if (page.before !== undefined) query.where('id', '<', page.before);
  if (page.limit !== undefined) query.limit(page.limit);
  const rows: Record<string, unknown>[] = await query;
  return rows.map(toEvent);
}

/**
 * When a user's events of one type since `since` happened, oldest first: read through the
 * (user_id, at) index, so it costs the few events of the window, not the user's history.
 */
export async function recentOfUser(
  db: Knex,
  userId: number,
  type: AuditType,
  since: number,
): Promise<number[]> {
  const rows: { at: number | string }[] = await db('audit_events')
    .where({ user_id: userId, type })
    .where('at', '>=', since)
    .orderBy('at')
    .select('at');
  return rows.map((r) => Number(r.at));
}

/** Keeps a deleted account's events as an anonymous security record, no longer tied to anyone. */
export async function detachFromUser(db: Knex, userId: number): Promise<void> {
  await db('audit_events').where({ user_id: userId }).update({ user_id: null });
}
