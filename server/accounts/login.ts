import { AppError } from '../errors.js';
import * as users from '../store/users.js';
import * as audit from '../store/audit.js';
import { readerOf } from '../store/db.js';
import { addToDay } from '../store/daily-stats.js';
import type { UserRow } from '../store/users.js';
import type { AccountsDeps, RequestMeta } from './index.js';
import { CHALLENGE_AFTER_FAILURES } from '../limits/index.js';
import { secondStepOrSession, type SecondStepRequired } from './two-factor-login.js';
import { proveSecondFactor } from './two-factor.js';
import { refuseDisabled } from './deactivation.js';
import { chargedCodes, chargedToAddress, labelsByCode, type AddressCharge } from './charged-to-address.js';

/*
 * Proving a password: logging in, and a signed-in user confirming theirs before a change or a
 * deletion. Both count against one per-account run of failures, the lockout.
 */

/** Consecutive failures allowed per account; the next attempt inside the window is refused. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_WINDOW_MS = 15 * 60_000;

export interface LoginResult {
  token: string;
  expiresAt: number;
  user: UserRow;
}

const invalidCredentials = () =>
  new AppError(
    'invalid_credentials',
    'wrong username or password (a new account logs in once its email is verified)',
  );

/** Seconds until a locked account may try again, or 0 when it is not locked. */
export function lockedFor(user: UserRow, now: number): number {
  if (user.failed_logins < MAX_FAILED_LOGINS || user.last_failed_login_at === null) return 0;
  const left = user.last_failed_login_at + LOCKOUT_WINDOW_MS - now;
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

export const tooManyAttempts = (wait: number, what = 'failed logins') =>
  new AppError('too_many_attempts', `too many ${what}; try again in ${Math.ceil(wait / 60)} min`, {}, wait);

/** Consecutive failures the account has in the lockout window now. */
export const recentFailures = (user: UserRow, now: number): number =>
  user.last_failed_login_at !== null && now - user.last_failed_login_at < LOCKOUT_WINDOW_MS
    ? user.failed_logins
    : 0;

/**
 * One login rule for every door. An unknown account spends a dummy scrypt check, so it answers
 * like a wrong password in status, body and time; a locked account is refused before its
 * password is checked. An account whose email is not verified answers exactly like a wrong
 * password, right password or not, and counts as a failure like one: otherwise a signup
 * followed by a login would tell whether the address already had an account (docs/security.md).
 *
 * Each attempt first claims a slot in the account's failure count (one atomic UPDATE) and gives
 * it back only when the password is right, so a burst of parallel guesses is counted in full
 * and the 6th is refused even when all of them arrive at once. The client address's budget of
 * failed logins works the same way. The challenge is asked for on failures that have ended
 * only: past CHALLENGE_AFTER_FAILURES of them for the address or the account (or the unknown
 * name), so correct logins that arrive together never trip it. Every scrypt run counts against
 * the address's LIMIT_KDF_PER_10MIN, whatever the outcome.
 */
export async function login(
  deps: AccountsDeps,
  input: { username: string; password: string },
  meta: RequestMeta,
): Promise<LoginResult | SecondStepRequired> {
  try {
    return await chargedToAddress(deps, meta, PASSWORD_CHARGE, () => checkLogin(deps, input, meta));
  } catch (err) {
    const result = PASSWORD_CHARGE.label(err);
    if (result === 'failed' || result === 'unverified') {
      await addToDay(deps.db, deps.clock.now(), { failed_logins: 1 }).catch((e: unknown) =>
        deps.log.warn({ err: e }, 'could not count a failed login in daily_stats'),
      );
    }
    throw err;
  }
}

/** Refusals of an unverified account: the client sees a wrong password, the metrics do not. */
const unverified = new WeakSet<object>();

/** How each refusal is counted in mux1_logins_total; a malformed request is not a login. */
const passwordLabels = labelsByCode({
  invalid_credentials: 'failed',
  too_many_attempts: 'locked',
  rate_limited: 'rate_limited',
  challenge_required: 'challenge_required',
  account_disabled: 'disabled',
});

/**
 * Only a wrong password (or an unverified account) or a locked account counts against the
 * address; a right password and a missing challenge do not.
 */
const PASSWORD_CHARGE: AddressCharge = {
  charged: chargedCodes('invalid_credentials', 'too_many_attempts'),
  label: (err) => (unverified.has(err as object) ? 'unverified' : passwordLabels(err)),
};

/** The names an account logs in with. */
const namesOf = (user: UserRow) => [user.username, user.email];

/** The key the limits count an account's failures under (unknown names count under the name). */
export const accountKey = (user: UserRow) => `#${user.id}`;

/**
 * Claims a slot in the account's run of failures (users.claimLoginAttempt), or refuses a locked
 * account: 429 with the lock's time left, audited as `refusal.event`, its message naming what
 * locked it (`refusal.what`). Every check of a password, a second factor or an SSH key's
 * signature claims through here. The claim that may reach the lockout, and every refused one,
 * also hints the lock to the limits by the account's names, so logins naming it, through any
 * door, are looked up before any challenge is asked for (see checkLogin); endFailureRun clears
 * the hint again.
 */
export async function claimAttempt(
  deps: AccountsDeps,
  user: UserRow,
  at: number,
  meta: RequestMeta,
  refusal: { event: audit.AuditType; what: string },
): Promise<void> {
  const { db, clock, limits } = deps;
  const claimed = await users.claimLoginAttempt(db, user.id, at, MAX_FAILED_LOGINS, LOCKOUT_WINDOW_MS);
  if (!claimed || recentFailures(user, at) + 1 >= MAX_FAILED_LOGINS) {
    await limits.lockHints.set(namesOf(user));
  }
  if (claimed) return;
  // Read again: the row the caller read may predate the failures that locked the account.
  const current = await users.findById(db, user.id);
  await audit.record(db, refusal.event, user.id, clock.now(), meta);
  throw tooManyAttempts((current && lockedFor(current, at)) || LOCKOUT_WINDOW_MS / 1000, refusal.what);
}

/**
 * A sign-in proved the account (a right password, an SSH key's signature, a passkey): its run of
 * failures in the limits is over, and its names are no longer hinted as locked. The users
 * table's count is cleared by the caller, with the session it writes.
 */
export async function endFailureRun(deps: AccountsDeps, user: UserRow): Promise<void> {
  await deps.limits.clearAccountFailures(accountKey(user));
  await deps.limits.lockHints.clear(namesOf(user));
}

async function checkLogin(
  deps: AccountsDeps,
  input: { username: string; password: string },
  meta: RequestMeta,
): Promise<LoginResult | SecondStepRequired> {
  const { db, clock, hasher, limits } = deps;
  const id = input.username;
  // A name without an account locks like an account does, so the 6th guess cannot tell the two
  // apart; like a locked account, it is refused without any work.
  const named = await limits.unknownName(id);
  const nameLocked = named.failures >= MAX_FAILED_LOGINS && named.msLeft > 0;

  // The challenge an address with failures owes is asked for before the account is looked up:
  // a flood of logins without solutions, which the address budget never stops (a missing
  // challenge gives its point back), then costs no query at all. Unless the name may find a
  // locked account: a locked account is refused below without any work, and asking for a
  // challenge first would only make its owner wait for the same answer.
  let challenged = false;
  if (!nameLocked && !(await limits.lockHints.has(id))) {
    const settled = await limits.settledFailures(meta.ip, id);
    if (settled.address >= CHALLENGE_AFTER_FAILURES) {
      await limits.challenges.require(meta.challenge);
      challenged = true;
    }
    // So is a login the hashing queue would refuse anyway (503): before a lookup, a claimed
    // failure and its release, which under a flood were two writes for nothing.
    hasher.refuseIfBusy(await limits.kdfWeight(meta.ip));
  }

  // Read on a reader connection (readerOf: credential lookups never wait for the writer).
  const reader = readerOf(db);
  const user = id.includes('@')
    ? await users.findByEmail(reader, id)
    : await users.findByUsername(reader, id);
  const at = clock.now();
  const event = (type: audit.AuditType, userId: number | null) =>
    audit.record(db, type, userId, clock.now(), meta);

  if (!user && nameLocked) {
    await event('login_locked', null);
    throw tooManyAttempts(Math.ceil(named.msLeft / 1000));
  }

  // The account's own failures (or the unknown name's) ask for a challenge too, except from a
  // locked account, for the reason above.
  const key = user ? accountKey(user) : id;
  if (!challenged && !(user && lockedFor(user, at) > 0)) {
    const settled = await limits.settledFailures(meta.ip, key);
    if (Math.max(settled.address, settled.account) >= CHALLENGE_AFTER_FAILURES) {
      await limits.challenges.require(meta.challenge);
    }
  }

  if (!user) {
    await hasher.verifyDummy(input.password, await limits.kdf(meta.ip));
    await limits.settleFailure(meta.ip, key);
    await event('login_failed', null);
    throw invalidCredentials();
  }
  await claimAttempt(deps, user, at, meta, { event: 'login_locked', what: 'failed logins' });
  let right: boolean;
  try {
    right = await hasher.verify(user.password_hash, input.password, await limits.kdf(meta.ip));
  } catch (err) {
    // Refused before any check (the address's budget spent, the hashing queue full): this
    // attempt was no failure of the account, so its claim alone is given back.
    await users.releaseLoginAttempt(db, user.id);
    throw err;
  }
  if (!right || user.email_verified_at === null) {
    // The claimed slot stays: an unverified account's right password counts like a wrong one.
    if (recentFailures(user, at) + 1 >= MAX_FAILED_LOGINS) deps.metrics.lockout();
    await limits.settleFailure(meta.ip, key);
    await event('login_failed', user.id);
    const refusal = invalidCredentials();
    if (right) unverified.add(refusal);
    throw refusal;
  }
  // The right password ends the run of failures (in the users table: below, with the session),
  // and its hash no longer weighs on the address's place in the hashing queue.
  await limits.kdfPaidOff(meta.ip);
  await endFailureRun(deps, user);
  // Said only to whoever proved the password: a wrong one above answers 401 like any other.
  refuseDisabled(user);
  if (hasher.isOutdated(user.password_hash)) {
    const weight = await limits.kdf(meta.ip);
    await users.updatePasswordHash(db, user.id, await hasher.hash(input.password, weight));
  }
  return secondStepOrSession(deps, user, meta);
}

/**
 * Proves a signed-in user knows the account's password before a change or a deletion. A stolen
 * token must not become a way around the login lockout, so each check counts against the same
 * per-account run of failures as a login (claimed atomically before scrypt runs) and a locked
 * account is refused with 429 without its password being checked. With `on.code`, a second
 * factor (TOTP or backup code) is proven next, counted the same way, once the password was right.
 */
export async function confirmPassword(
  deps: AccountsDeps,
  user: UserRow,
  password: string,
  meta: RequestMeta,
  on: {
    failure:
      'password_change_failed' | 'account_deletion_failed' | 'two_factor_change_failed' | 'login_failed';
    field: string;
    code?: string;
  },
): Promise<void> {
  const { db, clock, hasher } = deps;
  const at = clock.now();
  await claimAttempt(deps, user, at, meta, { event: on.failure, what: 'wrong passwords' });
  let right: boolean;
  try {
    right = await hasher.verify(user.password_hash, password, await deps.limits.kdf(meta.ip));
  } catch (err) {
    await users.releaseLoginAttempt(db, user.id);
    throw err;
  }
  if (!right) {
    await audit.record(db, on.failure, user.id, clock.now(), meta);
    throw new AppError('invalid_credentials', 'wrong password', { field: on.field });
  }
  await users.clearFailedLogins(db, user.id);
  if (on.code !== undefined) await proveSecondFactor(deps, user, on.code, meta, on.failure);
}
