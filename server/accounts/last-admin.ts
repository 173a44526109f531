import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import * as users from '../store/users.js';
import type { UserRow } from '../store/users.js';
import type { Db } from '../store/db.js';

/*
 * The server always keeps an admin who can sign in: demoting, disabling or deleting the last
 * enabled admin is refused with 409 `last_admin`, whoever asks (another admin, or the admin on
 * their own account). The check and the change run in one transaction that holds the admins'
 * lock, so two admins demoting each other at the same moment cannot both succeed: the second
 * waits for the first and then sees one admin left. SQLite's single writer connection already
 * runs transactions one at a time; PostgreSQL takes a transaction-scoped advisory lock.
 */

/** An arbitrary constant naming the admins' lock among PostgreSQL advisory locks. */
const ADMINS_LOCK = 0x6d757831_0a;

/** Runs `work` in a transaction that holds the admins' lock. */
export function withAdminsLocked<T>(db: Db, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    if (db.client.config.client === 'pg') await trx.raw('SELECT pg_advisory_xact_lock(?)', [ADMINS_LOCK]);
    return work(trx);
  });
}

/** Whether the account counts as an admin who can sign in. */
export const isEnabledAdmin = (user: UserRow): boolean => user.role === 'admin' && user.disabled_at === null;

/**
 * Throws 409 `last_admin` when `user` is an enabled admin and no other is left; call inside
 * withAdminsLocked, with the row read inside it, before removing them as admin.
 */
export async function keepAnAdmin(trx: Knex, user: UserRow, change: string): Promise<void> {
  if (!isEnabledAdmin(user)) return;
  const others = (await users.enabledAdminIds(trx)).filter((id) => id !== user.id);
  if (others.length > 0) return;
  throw new AppError(
    'last_admin',
    `${user.username} is the last enabled admin: make another account admin before you ${change}`,
  );
}
