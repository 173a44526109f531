import * as users from '../store/users.js';
import * as sessions from '../store/sessions.js';
import * as accessTokens from '../store/access-tokens.js';
import * as outbox from '../store/outbox.js';
import * as audit from '../store/audit.js';
import { passwordChangedMail, passwordResetMail } from '../mail/templates.js';
import { recipientNow } from './recipient.js';
import { checkPassword } from './passwords.js';
import { countCodeTry, hasFreshCode, invalidCode, issueCode, tryCode, useCode } from './codes.js';
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
 * code replaces the previous one, under the same rules as verification codes, unless that one
 * is live and younger than CODE_REPLACE_AFTER_MS.
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
    if (!user || (await hasFreshCode(trx, user.id, 'reset', now))) return;
    const code = await issueCode(deps, trx, user.id, 'reset', now, config.codeTtlMinutes);
    await outbox.enqueue(trx, passwordResetMail(deps.mail, user, code), now);
    queued = true;
  });
  if (queued) deps.mailQueued();
}

/**
 * Sets a new password with a mailed code and ends every session of the account. Wrong, expired,
 * used and unknown-email all answer `invalid_code` alike; the 5th wrong try burns the code.
 *
 * The code is checked first and the password hashed only once it matched: a wrong code costs
 * no scrypt run, for a known email as for an unknown one, so resets cannot be used to load the
 * server (and take the same time either way). Tries count against the address and the email
 * (LIMIT_CODE_FAILURES_PER_10MIN) and past CHALLENGE_AFTER_FAILURES need a solved challenge,
 * as logins do. The code is used up together with the new password, so a hash refused for load
 * (503) leaves the code good for the next try.
 */
export async function resetPassword(deps: AccountsDeps, input: ResetInput, meta: RequestMeta): Promise<void> {
  const { db, clock, hasher } = deps;
  // Judged for every address alike, before the account is looked up, so the answer does not
  // say whether the address has an account.
  checkPassword(input.password, { email: input.email });
  const attempt = await countCodeTry(deps, input.email, meta);
  const now = clock.now();

  const tried = await db.transaction(async (trx) => {
    // Locked: tries at once must each count towards the code's five.
    const user = await users.findByEmailForUpdate(trx, input.email);
    const result = user ? await tryCode(deps, trx, user, 'reset', input.code, now, meta) : undefined;
    if (!user || !result?.ok) {
      await audit.record(trx, 'password_reset_failed', user?.id ?? null, now, meta);
      // The failure must be kept although the request fails, so it commits first.
      return {
        failed: true as const,
        noticeQueued: result !== undefined && !result.ok && result.noticeQueued,
      };
    }
    // Only someone holding the right code gets this far, so this cannot reveal an address's
    // username. A weak password leaves the code unused: it stays good for a better password.
    checkPassword(input.password, { username: user.username, email: user.email });
    return { failed: false as const, user, codeId: result.codeId };
  });
  if (tried.failed) {
    if (tried.noticeQueued) deps.mailQueued();
    throw invalidCode();
  }
  const { user, codeId } = tried;
  // Outside the transaction, which would otherwise hold the database for scrypt's time.
  const weight = await deps.limits.kdf(meta.ip);
  const passwordHash = await hasher.hash(input.password, weight);

  const done = await db.transaction(async (trx) => {
    // Another request with the same code may have finished first.
    if (!(await useCode(trx, codeId, now))) return false;
    await users.updatePasswordHash(trx, user.id, passwordHash);
    // A locked-out owner who proved the mailbox may log in with the new password at once.
    await users.clearFailedLogins(trx, user.id);
    // The code reached the mailbox, and the password it comes with is the one set now, by
    // whoever reads that mailbox: all that verifying the address needs.
    await users.markVerified(trx, user.id, now);
    await sessions.revokeAllOfUser(trx, user.id, now);
    // A reset may follow a compromise: the scripts' tokens end with the sessions.
    await accessTokens.revokeAllOfUser(trx, user.id, now);
    await outbox.enqueue(
      trx,
      passwordChangedMail(deps.mail, await recipientNow(trx, user), { how: 'reset', at: now, ip: meta.ip }),
      now,
    );
    await audit.record(trx, 'password_reset', user.id, now, meta);
    return true;
  });
  if (!done) throw invalidCode();
  await attempt.refund();
  deps.mailQueued();
  deps.userSessionsEnded(user.id);
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
  const weight = await deps.limits.kdf(meta.ip);
  const passwordHash = await hasher.hash(input.password, weight);
  const now = clock.now();
  const ended = await db.transaction(async (trx) => {
    await users.updatePasswordHash(trx, user.id, passwordHash);
    const rows = await sessions.revokeAllOfUser(trx, user.id, now, session.id);
    await outbox.enqueue(
      trx,
      passwordChangedMail(deps.mail, await recipientNow(trx, user), { how: 'changed', at: now, ip: meta.ip }),
      now,
    );
    await audit.record(trx, 'password_changed', user.id, now, meta);
    return rows;
  });
  deps.mailQueued();
  return announceEnded(deps, ended, now);
}
