import { AppError } from '../errors.js';
import { KeyMismatchError } from '../secret-key.js';
import { TWO_FACTOR } from '../protocol.js';
import * as users from '../store/users.js';
import * as sessions from '../store/sessions.js';
import * as outbox from '../store/outbox.js';
import * as audit from '../store/audit.js';
import * as store from '../store/two-factor.js';
import type { Knex } from 'knex';
import type { UserRow } from '../store/users.js';
import { twoFactorChangedMail } from '../mail/templates.js';
import { recipientNow } from './recipient.js';
import { claimAttempt, confirmPassword } from './login.js';
import { announceEnded, type Authenticated } from './sessions.js';
import { newBackupCode, newTotpSecret, normaliseBackupCode, otpauthUrl, totpStep } from './totp.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * Two-factor sign-in as the account's owner manages it: set up (password), turn on (a first
 * code, which returns the backup codes once), turn off and new backup codes (password and a
 * code). Every change is audited and mailed; turning it on signs the other sessions out.
 * Checking a second factor counts against the same lockout as a password.
 */

export interface TwoFactorSetup {
  secret: string;
  otpauthUrl: string;
}

export interface TwoFactorStatus {
  enabledAt: number | null;
  backupCodesLeft: number;
}

/** Either factor: a TOTP code or a backup code. */
export type SecondFactor = 'totp' | 'backup';

export const alreadyOn = () =>
  new AppError(
    'two_factor_already_on',
    'two-factor sign-in is already on; turn it off first to set it up again',
  );

const isOff = (what: string) => new AppError('two_factor_off', `two-factor sign-in is off; ${what}`);

export const wrongSecondFactor = () =>
  new AppError('invalid_code', 'the code is wrong, or it was used already; wait for the next one', {
    field: 'code',
  });

const sealContext = (userId: number) => `totp:${userId}`;

/**
 * The user's TOTP secret in clear. A secret that does not open means the server runs with
 * another key than the one it was sealed with: sign-in is refused (never waved through) and the
 * log says why.
 */
function openSecret(deps: AccountsDeps, userId: number, sealed: string): string {
  try {
    return deps.key.open(sealed, sealContext(userId));
  } catch (err) {
    if (!(err instanceof KeyMismatchError)) throw err;
    deps.log.error(
      { userId },
      'cannot open a two-factor secret: SECRET_KEY (or the key file) is not the key it was sealed with; two-factor sign-in is refused until the right key is back',
    );
    throw new AppError('internal_error', 'two-factor secret sealed with another key');
  }
}

/** A backup code's hash: keyed, and bound to its owner. */
const backupHash = (deps: AccountsDeps, userId: number, normalised: string): string =>
  deps.key.mac(`backup:${userId}:${normalised}`);

/** Ten new backup codes, and their hashes to store. */
function makeBackupCodes(deps: AccountsDeps, userId: number): { codes: string[]; hashes: string[] } {
  const codes = new Set<string>();
  while (codes.size < TWO_FACTOR.backupCodeCount) codes.add(newBackupCode());
  const list = [...codes];
  return { codes: list, hashes: list.map((c) => backupHash(deps, userId, normaliseBackupCode(c)!)) };
}

/**
 * Uses up `code` when it is a right TOTP code not used before (its time step is recorded) or an
 * unused backup code; which of them, or undefined.
 */
export async function redeemSecondFactor(
  deps: AccountsDeps,
  db: Knex,
  userId: number,
  code: string,
  now: number,
): Promise<SecondFactor | undefined> {
  const row = await store.findSecret(db, userId);
  if (!row) return undefined;
  const step = totpStep(openSecret(deps, userId, row.secret_sealed), code.trim(), now);
  if (step !== undefined) return (await store.useStep(db, userId, step)) ? 'totp' : undefined;
  const backup = normaliseBackupCode(code);
  if (backup && (await store.useBackupCode(db, userId, backupHash(deps, userId, backup), now)))
    return 'backup';
  return undefined;
}

/**
 * A second factor from a user whose password is already proven, counted like a password: the
 * try is claimed in the account's run of failures first (a locked account is refused without
 * the code being checked) and given back only when the code is right.
 */
export async function proveSecondFactor(
  deps: AccountsDeps,
  user: UserRow,
  code: string,
  meta: RequestMeta,
  failure: audit.AuditType,
): Promise<SecondFactor> {
  const { db, clock } = deps;
  const at = clock.now();
  await claimAttempt(deps, user, at, meta, { event: failure, what: WRONG_PASSWORDS_OR_CODES });
  const how = await redeemSecondFactor(deps, db, user.id, code, at);
  if (!how) {
    await audit.record(db, failure, user.id, clock.now(), meta);
    throw wrongSecondFactor();
  }
  await users.clearFailedLogins(db, user.id);
  if (how === 'backup') await audit.record(db, 'backup_code_used', user.id, clock.now(), meta);
  return how;
}

/** What locks an account whose second factor is being proven, for the 429's message. */
export const WRONG_PASSWORDS_OR_CODES = 'wrong passwords or codes';

/** The owner proves the password, and with `code` a second factor too. */
const confirmOwner = (
  deps: AccountsDeps,
  user: UserRow,
  input: { password: string; code?: string },
  meta: RequestMeta,
) =>
  confirmPassword(deps, user, input.password, meta, {
    failure: 'two_factor_change_failed',
    field: 'password',
    code: input.code,
  });

/** A new secret, not active until a code made from it turns it on; replaces an earlier setup. */
export async function setupTwoFactor(
  deps: AccountsDeps,
  auth: Authenticated,
  password: string,
  meta: RequestMeta,
): Promise<TwoFactorSetup> {
  const { user } = auth;
  if (user.two_factor_enabled_at !== null) throw alreadyOn();
  await confirmOwner(deps, user, { password }, meta);
  const secret = newTotpSecret();
  const now = deps.clock.now();
  await deps.db.transaction(async (trx) => {
    await store.replaceSecret(trx, user.id, deps.key.seal(secret, sealContext(user.id)), now);
    await audit.record(trx, 'two_factor_setup', user.id, now, meta);
  });
  return { secret, otpauthUrl: otpauthUrl(secret, user.username) };
}

/**
 * Turns two-factor sign-in on with a first code from the secret that setup made. Returns the
 * backup codes (the only time they exist in clear) and how many other sessions were signed out.
 */
export async function enableTwoFactor(
  deps: AccountsDeps,
  auth: Authenticated,
  code: string,
  meta: RequestMeta,
): Promise<{ backupCodes: string[]; revoked: number }> {
  const { user, session } = auth;
  const now = deps.clock.now();
  const { codes, hashes } = makeBackupCodes(deps, user.id);
  const ended = await deps.db.transaction(async (trx) => {
    // Locked, so two requests cannot both turn it on.
    const current = await users.findByEmailForUpdate(trx, user.email);
    if (!current) throw new AppError('unauthorized', 'sign in first: the account is gone');
    if (current.two_factor_enabled_at !== null) throw alreadyOn();
    const row = await store.findSecret(trx, user.id);
    if (!row) throw isOff('set it up first (POST /api/2fa/setup), then send a code from your app');
    const step = totpStep(openSecret(deps, user.id, row.secret_sealed), code.trim(), now);
    if (step === undefined || !(await store.useStep(trx, user.id, step))) throw wrongSecondFactor();
    await store.setEnabledAt(trx, user.id, now);
    await store.replaceBackupCodes(trx, user.id, hashes, now);
    const rows = await sessions.revokeAllOfUser(trx, user.id, now, session.id);
    await outbox.enqueue(
      trx,
      twoFactorChangedMail(deps.mail, current, { what: 'on', at: now, ip: meta.ip }),
      now,
    );
    await audit.record(trx, 'two_factor_enabled', user.id, now, meta);
    return rows;
  });
  deps.mailQueued();
  return { backupCodes: codes, revoked: announceEnded(deps, ended, now) };
}

/** Turns two-factor sign-in off; the password and a code (TOTP or backup) prove the owner. */
export async function disableTwoFactor(
  deps: AccountsDeps,
  auth: Authenticated,
  input: { password: string; code: string },
  meta: RequestMeta,
): Promise<void> {
  const { user } = auth;
  if (user.two_factor_enabled_at === null) throw isOff('there is nothing to turn off');
  await confirmOwner(deps, user, input, meta);
  const now = deps.clock.now();
  await deps.db.transaction(async (trx) => {
    await store.deleteAllOfUser(trx, user.id);
    await store.setEnabledAt(trx, user.id, null);
    await outbox.enqueue(
      trx,
      twoFactorChangedMail(deps.mail, await recipientNow(trx, user), { what: 'off', at: now, ip: meta.ip }),
      now,
    );
    await audit.record(trx, 'two_factor_disabled', user.id, now, meta);
  });
  deps.mailQueued();
}

/** New backup codes for the old ones, used or not; the password and a code prove the owner. */
export async function regenerateBackupCodes(
  deps: AccountsDeps,
  auth: Authenticated,
  input: { password: string; code: string },
  meta: RequestMeta,
): Promise<string[]> {
  const { user } = auth;
  if (user.two_factor_enabled_at === null) throw isOff('turn it on first');
  await confirmOwner(deps, user, input, meta);
  const now = deps.clock.now();
  const { codes, hashes } = makeBackupCodes(deps, user.id);
  await deps.db.transaction(async (trx) => {
    await store.replaceBackupCodes(trx, user.id, hashes, now);
    await outbox.enqueue(
      trx,
      twoFactorChangedMail(deps.mail, await recipientNow(trx, user), {
        what: 'backup_codes',
        at: now,
        ip: meta.ip,
      }),
      now,
    );
    await audit.record(trx, 'backup_codes_regenerated', user.id, now, meta);
  });
  deps.mailQueued();
  return codes;
}

export async function twoFactorStatus(deps: AccountsDeps, auth: Authenticated): Promise<TwoFactorStatus> {
  const enabledAt = auth.user.two_factor_enabled_at;
  return {
    enabledAt,
    backupCodesLeft: enabledAt === null ? 0 : await store.countUnusedBackupCodes(deps.db, auth.user.id),
  };
}
