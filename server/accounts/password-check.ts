import { AppError } from '../errors.js';
import * as users from '../store/users.js';
import type { UserRow } from '../store/users.js';
import type { AccountsDeps, RequestMeta } from './context.js';
import { recordEvent } from './audit-event.js';
import { LOCKOUT_WINDOW_MS, MAX_FAILED_LOGINS, lockedFor } from './login.js';

/**
 * Proves a signed-in user knows the account's password before a change or a deletion. A stolen
 * token must not become a way around the login lockout, so each check counts against the same
 * per-account run of failures as a login (claimed atomically before scrypt runs) and a locked
 * account is refused with 429 without its password being checked.
 */
export async function confirmPassword(
  deps: AccountsDeps,
  user: UserRow,
  password: string,
  meta: RequestMeta,
  on: { failure: 'password_change_failed' | 'account_deletion_failed'; field: string },
): Promise<void> {
  const { db, clock, hasher } = deps;
  const at = clock.now();
  if (!(await users.claimLoginAttempt(db, user.id, at, MAX_FAILED_LOGINS, LOCKOUT_WINDOW_MS))) {
    const current = await users.findById(db, user.id);
    await recordEvent(db, on.failure, user.id, clock.now(), meta);
    const wait = (current && lockedFor(current, at)) || LOCKOUT_WINDOW_MS / 1000;
    throw new AppError(
      'too_many_attempts',
      `too many wrong passwords; try again in ${Math.ceil(wait / 60)} min`,
      {},
      wait,
    );
  }
  if (!(await hasher.verify(user.password_hash, password))) {
    await recordEvent(db, on.failure, user.id, clock.now(), meta);
    throw new AppError('invalid_credentials', 'wrong password', { field: on.field });
  }
  await users.clearFailedLogins(db, user.id);
}
