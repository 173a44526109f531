import * as users from '../store/users.js';
import * as sessions from '../store/sessions.js';
import * as outbox from '../store/outbox.js';
import * as audit from '../store/audit.js';
import { passwordChangedMail, passwordResetMail } from '../mail/templates.js';
import { checkPassword } from './passwords.js';
import { invalidCode, issueCode, redeemCode } from './codes.js';
import { confirmPassword } from './login.js';
import { announceEnded, type Authenticated } from './sessions.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * A new password: forgotten (a mailed code, then reset) or changed by a signed-in user who
 * proves the current one. Either way sessions end and the owner is told by mail.
 */

export interface ResetInput {
  email: string;
  code: string;
  password: string;
}

export interface ChangeInput {
  currentPassword: string;
  password: string;
}

/**
 * Mails a reset code when the address has an account, and answers the same either way. A new
 * code replaces the previous one, under the same rules as verification codes.
 */
export async function forgotPassword(deps: AccountsDeps, email: string, meta: RequestMeta): Promise<void> {
  const { db, clock, config } = deps;
  // Per email and per address (LIMIT_MAILS_PER_HOUR_*), counted whether or not the account
  // exists, so a 429 tells nothing about it either.
  await deps.limits.consumeForgot(email, meta.ip);
  const now = clock.now();
  let queued = false;
  await db.transaction(async (trx) => {
    const user = await users.findByEmail(trx, email);
    await audit.record(trx, 'password_reset_requested', user?.id ?? null, now, meta);
    if (!user) return;
    const code = await issueCode(trx, user.id, 'reset', now, config.codeTtlMinutes);
    await outbox.enqueue(trx, passwordResetMail(deps.mail, user.email, user.username, code), now);
    queued = true;
  });
  if (queued) deps.mailQueued();
}

/**
 * Sets a new password with a mailed code and ends every session of the account. Wrong, expired,
 * used and unknown-email all answer `invalid_code` alike; the 5th wrong try burns the code.
 */
export async function resetPassword(deps: AccountsDeps, input: ResetInput, meta: RequestMeta): Promise<void> {
  const { db, clock, hasher } = deps;
  // Judged and hashed for every address alike, before the account is looked up, so neither the
  // answer nor the time it takes says whether the address has an account. Hashing also stays
  // outside the transaction, which would otherwise hold the database for scrypt's time.
  checkPassword(input.password, { email: input.email });
  const passwordHash = await hasher.hash(input.password);
  const now = clock.now();

  const outcome = await db.transaction(async (trx) => {
    // Locked: tries at once must each count towards the code's five.
    const user = await users.findByEmailForUpdate(trx, input.email);
    const redeemed = user ? await redeemCode(trx, user.id, 'reset', input.code, now) : 'unusable';
    if (!user || redeemed !== 'ok') {
      await audit.record(trx, 'password_reset_failed', user?.id ?? null, now, meta);
      // The failure must be kept although the request fails, so it commits first.
      return 'failed' as const;
    }
    // Only someone holding the right code gets this far, so this cannot reveal an address's
    // username. A weak password rolls the transaction back, code use included: the code stays
    // good for a better password.
    checkPassword(input.password, { username: user.username, email: user.email });
    await users.updatePasswordHash(trx, user.id, passwordHash);
    // A locked-out owner who proved the mailbox may log in with the new password at once.
    await users.clearFailedLogins(trx, user.id);
    // The code reached the mailbox, which is all that verifying the address proves.
    await users.markVerified(trx, user.id, now);
    await sessions.revokeAllOfUser(trx, user.id, now);
    await outbox.enqueue(
      trx,
      passwordChangedMail(deps.mail, user.email, user.username, { how: 'reset', at: now, ip: meta.ip }),
      now,
    );
    await audit.record(trx, 'password_reset', user.id, now, meta);
    return user.id;
  });
  if (outcome === 'failed') throw invalidCode();
  deps.mailQueued();
  deps.userSessionsEnded(outcome);
}

/**
 * A new password for a signed-in user who proves the current one. Every other session ends -
 * whoever else held the old password may be signed in - and the one that asked stays. Returns
 * how many of the sessions it ended were still live.
 */
export async function changePassword(
  deps: AccountsDeps,
  auth: Authenticated,
  input: ChangeInput,
  meta: RequestMeta,
): Promise<number> {
  const { db, clock, hasher } = deps;
  const { user, session } = auth;
  await confirmPassword(deps, user, input.currentPassword, meta, {
    failure: 'password_change_failed',
    field: 'current_password',
  });
  checkPassword(input.password, user);
  const passwordHash = await hasher.hash(input.password);
  const now = clock.now();
  const ended = await db.transaction(async (trx) => {
    await users.updatePasswordHash(trx, user.id, passwordHash);
    const rows = await sessions.revokeAllOfUser(trx, user.id, now, session.id);
    await outbox.enqueue(
      trx,
      passwordChangedMail(deps.mail, user.email, user.username, { how: 'changed', at: now, ip: meta.ip }),
      now,
    );
    await audit.record(trx, 'password_changed', user.id, now, meta);
    return rows;
  });
  deps.mailQueued();
  return announceEnded(deps, ended, now);
}
