import { AppError } from '../errors.js';
import * as users from '../store/users.js';
import * as sessions from '../store/sessions.js';
import * as accessTokens from '../store/access-tokens.js';
import * as audit from '../store/audit.js';
import { addToDay, dayStartOf } from '../store/daily-stats.js';
import type { UserRow } from '../store/users.js';
import { confirmPassword } from './login.js';
import type { Authenticated } from './sessions.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * An account's pauses and what every sign-in notes. An admin disables an account (refused until
 * enabled again, administration.ts); the owner deactivates their own (gone from chat until they
 * sign in again, which reactivates it). Both end every session and token at once.
 */

/**
 * 403 `account_disabled` for a disabled account: asked only after the password (and nothing else
 * yet) proved right, so the answer tells nothing to whoever does not know it.
 */
export function refuseDisabled(user: UserRow): void {
  if (user.disabled_at === null) return;
  throw new AppError(
    'account_disabled',
    'this account was disabled by an administrator; contact the administrators of this server',
  );
}

/**
 * After a session was made for a password (and second factor) sign-in: stamps the account's last
 * sign-in, counts the day's logins and active accounts (each account once a day), and reactivates
 * a deactivated account.
 */
export async function signedIn(deps: AccountsDeps, user: UserRow, meta: RequestMeta): Promise<void> {
  const now = deps.clock.now();
  const first = await users.markLoggedIn(deps.db, user.id, now, dayStartOf(now));
  await addToDay(deps.db, now, { logins: 1, active_users: first ? 1 : 0 });
  if (user.deactivated_at !== null) {
    await deps.db.transaction(async (trx) => {
      await users.updateState(trx, user.id, { deactivated_at: null });
      await audit.record(trx, 'account_reactivated', user.id, now, meta);
    });
  }
}

/**
 * The owner's pause, proven with the password: every session and token ends, the sockets close
 * (so the account leaves presence), and nothing can sign in with an old credential. The next
 * successful sign-in (password, and second factor when it is on) reactivates it.
 */
export async function deactivateAccount(
  deps: AccountsDeps,
  auth: Authenticated,
  password: string,
  meta: RequestMeta,
): Promise<void> {
  const userId = auth.user.id;
  await confirmPassword(deps, auth.user, password, meta, { failure: 'login_failed', field: 'password' });
  const now = deps.clock.now();
  await deps.db.transaction(async (trx) => {
    await users.updateState(trx, userId, { deactivated_at: now });
    await sessions.revokeAllOfUser(trx, userId, now);
    await accessTokens.revokeAllOfUser(trx, userId, now);
    await audit.record(trx, 'account_deactivated', userId, now, meta);
  });
  deps.userSessionsEnded(userId);
}
