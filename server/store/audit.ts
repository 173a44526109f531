import type { Knex } from 'knex';
import { jsonPage, type JsonPage } from './json-pages.js';

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
  // Administration (actor_id: the admin; user_id: the account acted on).
  | 'role_changed'
  | 'account_disabled'
  | 'account_enabled'
  | 'account_deleted_by_admin'
  | 'password_reset_forced'
  // The owner's own pause: deactivated, then reactivated by signing in.
  | 'account_deactivated'
  | 'account_reactivated'
  // Moderation (actor_id: the moderator; user_id: the member; detail: the room and more).
  | 'message_removed_by_moderator'
  | 'member_kicked'
  | 'member_muted'
  | 'member_unmuted'
  | 'member_banned'
  | 'member_unbanned'
  | 'private_room_created'
  | 'member_invited'
  | 'member_removed'
  // user_id: the new owner of a private room whose owner deleted their account (no actor).
  | 'private_room_handed_over'
  // Sign-in with an identity provider.
  | 'login_with_identity'
  | 'signup_with_identity'
  | 'identity_linked'
  | 'identity_unlinked'
  | 'identity_refused'
  // Device login.
  | 'device_approved'
  | 'device_denied'
  | 'device_login'
  // SSH-key login.
  | 'ssh_key_added'
  | 'ssh_key_removed'
  | 'ssh_key_policy_changed'
  | 'ssh_login_failed'
  // Passkeys.
  | 'passkey_added'
  | 'passkey_renamed'
  | 'passkey_removed'
  | 'passkey_login'
  | 'passkey_login_failed';

export interface AuditEvent {
  user_id: number | null;
  type: AuditType;
  at: number;
  ip: string | null;
  user_agent: string | null;
  /** Who did it when it is not the account itself: the admin or moderator; null otherwise. */
  actor_id?: number | null;
  /** A short note of what changed ("user -> moderator", "#room for 10 min"), at most 200 characters. */
  detail?: string | null;
}

/**
 * Who acted on the account, for administration and moderation; leave out for the owner's own acts.
 * Null for what happened through no one still here (a room handed over by a deleted account).
 */
export interface ActedBy {
  actorId: number | null;
  detail?: string;
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
  actedBy?: ActedBy,
): Promise<void> {
  await db('audit_events').insert({
    user_id: userId,
    type,
    at,
    ip: from.ip,
    user_agent: from.userAgent,
    ...(actedBy ? { actor_id: actedBy.actorId, detail: actedBy.detail?.slice(0, 200) ?? null } : {}),
  } satisfies AuditEvent);
}

const toEvent = (row: Record<string, unknown>): StoredAuditEvent => ({
  id: Number(row.id),
  user_id: row.user_id == null ? null : Number(row.user_id),
  type: row.type as AuditType,
  at: Number(row.at),
  ip: row.ip == null ? null : String(row.ip),
  user_agent: row.user_agent == null ? null : String(row.user_agent),
  actor_id: row.actor_id == null ? null : Number(row.actor_id),
  detail: row.detail == null ? null : String(row.detail),
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
 * A page of a user's events, newest first, older than the event id `before` when given, as the
 * account export shows them (`{id, type, at, ip, user_agent}`), written as JSON by the database.
 */
export function exportPageOfUser(
  db: Knex,
  userId: number,
  page: { before?: number; limit: number },
): Promise<JsonPage> {
  const rows = db('audit_events').where({ user_id: userId }).orderBy('id', 'desc').limit(page.limit);
  if (page.before !== undefined) rows.where('id', '<', page.before);
  return jsonPage(
    db,
    rows,
    { id: 'id', type: 'type', at: { time: 'at' }, ip: 'ip', user_agent: 'user_agent' },
    'desc',
  );
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

/** An event of the whole log with the names of the account and the actor (null once deleted). */
export interface NamedAuditEvent extends StoredAuditEvent {
  username: string | null;
  actor: string | null;
}

export interface AuditFilter {
  userId?: number;
  actorId?: number;
  type?: string;
  before?: number;
  limit: number;
}

/**
 * The whole log newest first, paged by id, narrowed by account, actor and type: each filter has
 * an index that ends in id ((user_id, id), (actor_id, id), (type, id)), so a page is a range of
 * one of them, however long the log.
 */
export async function listAll(db: Knex, filter: AuditFilter): Promise<NamedAuditEvent[]> {
  const query = db('audit_events as e')
    .leftJoin('users as u', 'u.id', 'e.user_id')
    .leftJoin('users as a', 'a.id', 'e.actor_id')
    .select('e.*', 'u.username as username', 'a.username as actor')
    .orderBy('e.id', 'desc')
    .limit(filter.limit);
  if (filter.userId !== undefined) query.where('e.user_id', filter.userId);
  if (filter.actorId !== undefined) query.where('e.actor_id', filter.actorId);
  if (filter.type !== undefined) query.where('e.type', filter.type);
  if (filter.before !== undefined) query.where('e.id', '<', filter.before);
  const rows: Record<string, unknown>[] = await query;
  return rows.map((row) => ({
    ...toEvent(row),
    username: row.username == null ? null : String(row.username),
    actor: row.actor == null ? null : String(row.actor),
  }));
}
