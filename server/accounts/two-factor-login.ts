import { hash, randomBytes } from 'node:crypto';
import { sessionForSignIn } from './deactivation.js';
import { AppError } from '../errors.js';
import { TWO_FACTOR } from '../protocol.js';
import { CHALLENGE_AFTER_FAILURES } from '../limits/index.js';
import * as users from '../store/users.js';
import * as audit from '../store/audit.js';
import * as store from '../store/two-factor.js';
import type { UserRow } from '../store/users.js';
import { claimAttempt, lockedFor, MAX_FAILED_LOGINS, recentFailures, type LoginResult } from './login.js';
import { redeemSecondFactor, WRONG_PASSWORDS_OR_CODES, wrongSecondFactor } from './two-factor.js';
import type { AccountsDeps, RequestMeta } from './index.js';
import { chargedCodes, chargedToAddress, labelsByCode, type AddressCharge } from './charged-to-address.js';

/*
 * The second step of a login. A right password for an account with two-factor sign-in opens no
 * session: it hands out an mfa_token (random, kept as a hash, alive TWO_FACTOR.mfaTokenMinutes,
 * ended by TWO_FACTOR.mfaTokenTries wrong codes), which POST /api/login/2fa trades with a code
 * for the session. Wrong codes count like wrong passwords: against the account's lockout and the
 * address's failed logins, and past CHALLENGE_AFTER_FAILURES they need a proof-of-work challenge.
 */

/** What a right password answers when a second factor is needed. */
export interface SecondStepRequired {
  mfaRequired: true;
  mfaToken: string;
  expiresAt: number;
  user: UserRow;
}

const sha256 = (value: string): string => hash('sha256', value, 'hex');

const invalidMfaToken = () =>
  new AppError(
    'invalid_mfa_token',
    'this sign-in expired or had too many wrong codes; log in with your password again',
  );

/**
 * The hook at the end of a right password: undefined when the account has no second factor (the
 * login goes on), else the pending second step.
 */
export async function startSecondStep(
  deps: AccountsDeps,
  user: UserRow,
  meta: RequestMeta,
): Promise<SecondStepRequired | undefined> {
  if (user.two_factor_enabled_at === null) return undefined;
  const now = deps.clock.now();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + TWO_FACTOR.mfaTokenMinutes * 60_000;
  await deps.db.transaction(async (trx) => {
    await store.pruneMfaLogins(trx, user.id, now);
    await store.insertMfaLogin(trx, {
      user_id: user.id,
      token_hash: sha256(token),
      created_at: now,
      expires_at: expiresAt,
    });
    await audit.record(trx, 'login_needs_code', user.id, now, meta);
  });
  return { mfaRequired: true, mfaToken: token, expiresAt, user };
}

/**
 * The end of a first factor proved (a right password, an SSH key's signature): the code step when
 * the account has two-factor sign-in and `codeStepOwed`, else the session. The users table's run
 * of failures is cleared either way, with the session when there is one.
 */
export async function secondStepOrSession(
  deps: AccountsDeps,
  user: UserRow,
  meta: RequestMeta,
  codeStepOwed = true,
): Promise<LoginResult | SecondStepRequired> {
  if (codeStepOwed) {
    // Two-factor sign-in: no session yet, the code comes next.
    if (user.two_factor_enabled_at !== null) await users.clearFailedLogins(deps.db, user.id);
    const secondStep = await startSecondStep(deps, user, meta);
    if (secondStep) return secondStep;
  }
  // One writer transaction for the rest, so a login waits for SQLite's writer once.
  const { token, session } = await sessionForSignIn(deps, user, meta, 'login', (trx) =>
    users.clearFailedLogins(trx, user.id),
  );
  return { token, expiresAt: session.expires_at, user };
}

/** POST /api/login/2fa: the pending login's token and a TOTP or backup code, for a session. */
export async function loginSecondStep(
  deps: AccountsDeps,
  input: { mfaToken: string; code: string },
  meta: RequestMeta,
): Promise<LoginResult> {
  return chargedToAddress(deps, meta, CODE_CHARGE, (addressFailures) =>
    checkSecondStep(deps, input, meta, addressFailures),
  );
}

/** Only a wrong code or a locked account counts against the address, as for passwords. */
const CODE_CHARGE: AddressCharge = {
  charged: chargedCodes('invalid_code', 'too_many_attempts'),
  label: labelsByCode({ invalid_code: 'failed', too_many_attempts: 'locked' }),
};

async function checkSecondStep(
  deps: AccountsDeps,
  input: { mfaToken: string; code: string },
  meta: RequestMeta,
  addressFailures: number,
): Promise<LoginResult> {
  const { db, clock, limits } = deps;
  const at = clock.now();
  const pending = await store.findMfaLogin(db, sha256(input.mfaToken));
  if (!pending || pending.finished_at !== null || pending.expires_at <= at) throw invalidMfaToken();
  const user = await users.findById(db, pending.user_id);
  if (!user || user.two_factor_enabled_at === null) throw invalidMfaToken();

  if (
    lockedFor(user, at) === 0 &&
    Math.max(addressFailures, recentFailures(user, at)) >= CHALLENGE_AFTER_FAILURES
  ) {
    await limits.challenges.require(meta.challenge);
  }
  await claimAttempt(deps, user, at, meta, { event: 'login_locked', what: WRONG_PASSWORDS_OR_CODES });
  const how = await redeemSecondFactor(deps, db, user.id, input.code, at);
  if (!how) {
    await store.recordWrongCode(db, pending.id, TWO_FACTOR.mfaTokenTries, at);
    if (recentFailures(user, at) + 1 >= MAX_FAILED_LOGINS) deps.metrics.lockout();
    await audit.record(db, 'login_code_failed', user.id, clock.now(), meta);
    throw wrongSecondFactor();
  }
  await users.clearFailedLogins(db, user.id);
  // Of two requests with right codes at once, one session: the other finds the step ended.
  if (!(await store.finishMfaLogin(db, pending.id, at))) throw invalidMfaToken();
  if (how === 'backup') await audit.record(db, 'backup_code_used', user.id, clock.now(), meta);
  // Disabled between the password and the code: no session (sessionForSignIn refuses it).
  const { token, session } = await sessionForSignIn(deps, user, meta, 'login');
  return { token, expiresAt: session.expires_at, user };
}
