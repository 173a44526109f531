import type { Knex } from 'knex';
import { isRole, type Role } from '../protocol.js';
import { isLanguage, type Language } from '../../i18n/index.js';

export interface UserRow {
  id: number;
  username: string;
  email: string;
  password_hash: string;
  email_verified_at: number | null;
  created_at: number;
  failed_logins: number;
  last_failed_login_at: number | null;
  /** When two-factor sign-in was turned on; null while it is off. */
  two_factor_enabled_at: number | null;
  role: Role;
  /** When an admin disabled the account (sign-in refused); null while it is enabled. */
  disabled_at: number | null;
  /** When the owner deactivated the account (the next sign-in reactivates it); null otherwise. */
  deactivated_at: number | null;
  /** When the account last signed in (a session made); null before its first. */
  last_login_at: number | null;
  /** The language of the account's mails; null when none was chosen (they are in English). */
  locale: Language | null;
}

// PostgreSQL returns BIGINT as a string; numbers are what the rest of the code compares.
const toUser = (row: Record<string, unknown> | undefined): UserRow | undefined =>
  row && {
    id: Number(row.id),
    username: String(row.username),
    email: String(row.email),
    password_hash: String(row.password_hash),
    email_verified_at: row.email_verified_at == null ? null : Number(row.email_verified_at),
    created_at: Number(row.created_at),
    failed_logins: Number(row.failed_logins),
    last_failed_login_at: row.last_failed_login_at == null ? null : Number(row.last_failed_login_at),
    two_factor_enabled_at: row.two_factor_enabled_at == null ? null : Number(row.two_factor_enabled_at),
    role: isRole(row.role) ? row.role : 'user',
    disabled_at: row.disabled_at == null ? null : Number(row.disabled_at),
    deactivated_at: row.deactivated_at == null ? null : Number(row.deactivated_at),
    last_login_at: row.last_login_at == null ? null : Number(row.last_login_at),
    // A value written by hand that mux1 does not speak reads as none chosen.
    locale: isLanguage(row.locale) ? row.locale : null,
  };

export { toUser };

export async function findById(db: Knex, id: number): Promise<UserRow | undefined> {
  return toUser(await db('users').where({ id }).first());
}

export async function findByEmail(db: Knex, email: string): Promise<UserRow | undefined> {
  return toUser(await db('users').where({ email }).first());
}

/**
 * findByEmail that also holds the row until the transaction ends, so that requests about one
 * account (code tries, verification) take turns on PostgreSQL, as they do on SQLite's single
 * writer. SQLite has no FOR UPDATE, and needs none.
 */
export async function findByEmailForUpdate(trx: Knex, email: string): Promise<UserRow | undefined> {
  const query = trx('users').where({ email });
  if (trx.client.config.client === 'pg') query.forUpdate();
  return toUser(await query.first());
}

export async function findByUsername(db: Knex, username: string): Promise<UserRow | undefined> {
  return toUser(await db('users').where({ username }).first());
}

export async function insertUser(
  db: Knex,
  user: Pick<UserRow, 'username' | 'email' | 'password_hash' | 'created_at'> &
    Partial<Pick<UserRow, 'locale'>>,
): Promise<number> {
  const [row] = await db('users').insert(user).returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

/** The language of the account's mails as stored now (a cached row may be a second old). */
export async function findLocale(db: Knex, id: number): Promise<Language | null> {
  const row = await db('users').where({ id }).first('locale');
  return isLanguage(row?.locale) ? row.locale : null;
}

export async function setLocale(db: Knex, id: number, locale: Language | null): Promise<void> {
  await db('users').where({ id }).update({ locale });
}

export async function markVerified(db: Knex, id: number, at: number): Promise<void> {
  await db('users').where({ id }).whereNull('email_verified_at').update({ email_verified_at: at });
}

/**
 * Claims one login attempt for an account that is not locked, counting it as a failure until
 * the password proves right (then `clearFailedLogins`). A single conditional UPDATE, so attempts
 * that arrive together cannot all read the same count: at most `max` of them get past the lock.
 * Failures older than `windowMs` no longer count. False when the account is locked.
 */
export async function claimLoginAttempt(
  db: Knex,
  id: number,
  at: number,
  max: number,
  windowMs: number,
): Promise<boolean> {
  const since = at - windowMs;
  const updated = await db('users')
    .where({ id })
    .andWhere((q) =>
      q
        .where('failed_logins', '<', max)
        .orWhereNull('last_failed_login_at')
        .orWhere('last_failed_login_at', '<=', since),
    )
    .update({
      failed_logins: db.raw(
        'CASE WHEN last_failed_login_at IS NOT NULL AND last_failed_login_at > ? THEN failed_logins + 1 ELSE 1 END',
        [since],
      ),
      last_failed_login_at: at,
    });
  return updated === 1;
}

/** Gives back one claimed attempt that never checked a password (refused for load or budget). */
export async function releaseLoginAttempt(db: Knex, id: number): Promise<void> {
  await db('users')
    .where({ id })
    .where('failed_logins', '>', 0)
    .update({ failed_logins: db.raw('failed_logins - 1') });
}

export async function clearFailedLogins(db: Knex, id: number): Promise<void> {
  await db('users').where({ id }).update({ failed_logins: 0, last_failed_login_at: null });
}

export async function updatePasswordHash(db: Knex, id: number, hash: string): Promise<void> {
  // Any password set (a reset of an account made through a provider) is one its owner knows.
  await db('users').where({ id }).update({ password_hash: hash, password_unset: false });
}

/** The number of accounts, from the row the database keeps up to date (migration 007). */
export async function countUsers(db: Knex): Promise<number> {
  const row = await db('counters').where({ name: 'users' }).first('value');
  return Number(row?.value ?? 0);
}

/** Removes the account row; the caller has already removed or anonymised what refers to it. */
export async function deleteUser(db: Knex, id: number): Promise<void> {
  await db('users').where({ id }).delete();
}

/**
 * Stamps a sign-in; true when it is the account's first of the UTC day that starts at
 * `dayStart`, so the day's active users count each account once. One conditional UPDATE, so two
 * sign-ins at once cannot both be the first.
 */
export async function markLoggedIn(db: Knex, id: number, at: number, dayStart: number): Promise<boolean> {
  const first = await db('users')
    .where({ id })
    .andWhere((q) => q.whereNull('last_login_at').orWhere('last_login_at', '<', dayStart))
    .update({ last_login_at: at });
  if (first === 1) return true;
  await db('users').where({ id }).update({ last_login_at: at });
  return false;
}

/** Sets the fields an admin or the owner changes (role, disabled, deactivated). */
export async function updateState(
  db: Knex,
  id: number,
  state: Partial<Pick<UserRow, 'role' | 'disabled_at' | 'deactivated_at'>>,
): Promise<void> {
  await db('users').where({ id }).update(state);
}

/** Admins who may still sign in (not disabled), read through the role index. */
export async function enabledAdminIds(db: Knex): Promise<number[]> {
  const rows: { id: number | string }[] = await db('users')
    .where({ role: 'admin' })
    .whereNull('disabled_at')
    .select('id');
  return rows.map((r) => Number(r.id));
}
