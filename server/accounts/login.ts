import { AppError } from '../errors.js';
import * as users from '../store/users.js';
import * as audit from '../store/audit.js';
import type { UserRow } from '../store/users.js';
import type { AccountsDeps, RequestMeta } from './context.js';
import { createSession } from './sessions.js';

/** Consecutive failures allowed per account; the next attempt inside the window is refused. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_WINDOW_MS = 15 * 60_000;

export interface LoginResult {
  token: string;
  expiresAt: number;
  user: UserRow;
}

const invalidCredentials = () => new AppError('invalid_credentials', 401, 'wrong username or password');

/** Seconds until a locked account may try again, or 0 when it is not locked. */
export function lockedFor(user: UserRow, now: number): number {
  if (user.failed_logins < MAX_FAILED_LOGINS || user.last_failed_login_at === null) return 0;
  const left = user.last_failed_login_at + LOCKOUT_WINDOW_MS - now;
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

const tooManyAttempts = (wait: number) =>
  new AppError(
    'too_many_attempts',
    429,
    `too many failed logins; try again in ${Math.ceil(wait / 60)} min`,
    {},
    wait,
  );

/**
 * One login rule for every door. An unknown account spends a dummy scrypt check, so it answers
 * like a wrong password in status, body and time; a locked account is refused before its
 * password is checked; `email_not_verified` is only told to someone who knows the password.
 *
 * Each attempt first claims a slot in the account's failure count (one atomic UPDATE) and gives
 * it back only when the password is right, so a burst of parallel guesses is counted in full
 * and the 6th is refused even when all of them arrive at once.
 */
export async function login(
  deps: AccountsDeps,
  input: { username: string; password: string },
  meta: RequestMeta,
): Promise<LoginResult> {
  const { db, clock, hasher } = deps;
  const id = input.username;
  const user = id.includes('@') ? await users.findByEmail(db, id) : await users.findByUsername(db, id);
  const at = clock.now();
  const event = (type: audit.AuditType, userId: number | null) =>
    audit.record(db, { user_id: userId, type, at: clock.now(), ip: meta.ip, user_agent: meta.userAgent });

  if (!user) {
    await hasher.verifyDummy(input.password);
    await event('login_failed', null);
    throw invalidCredentials();
  }
  if (!(await users.claimLoginAttempt(db, user.id, at, MAX_FAILED_LOGINS, LOCKOUT_WINDOW_MS))) {
    // Read again: the row read above may predate the failures that locked the account.
    const current = await users.findById(db, user.id);
    await event('login_locked', user.id);
    throw tooManyAttempts((current && lockedFor(current, at)) || LOCKOUT_WINDOW_MS / 1000);
  }
  if (!(await hasher.verify(user.password_hash, input.password))) {
    await event('login_failed', user.id);
    throw invalidCredentials();
  }
  // The right password ends the run of failures, verified email or not.
  await users.clearFailedLogins(db, user.id);
  if (user.email_verified_at === null) {
    throw new AppError(
      'email_not_verified',
      403,
      'verify your email first: enter the code we mailed you, or ask for a new one',
    );
  }
  if (hasher.isOutdated(user.password_hash)) {
    await users.updatePasswordHash(db, user.id, await hasher.hash(input.password));
  }
  const { token, session } = await createSession(deps, user.id, meta);
  await event('login', user.id);
  return { token, expiresAt: session.expires_at, user };
}
