import { AppError } from '../errors.js';
import * as users from '../store/users.js';
import * as codes from '../store/codes.js';
import * as sessions from '../store/sessions.js';
import * as outbox from '../store/outbox.js';
import { passwordChangedMail, passwordResetMail } from '../mail/templates.js';
import { checkPassword } from './fields.js';
import { equalHashes, hashCode, newCode } from './secrets.js';
import { MAX_CODE_TRIES } from './verification.js';
import { recordEvent } from './audit-event.js';
import type { AccountsDeps, RequestMeta } from './context.js';

export interface ResetInput {
  email: string;
  code: string;
  password: string;
}

const invalidCode = () =>
  new AppError('invalid_code', 'the code is wrong, expired or already used', { field: 'code' });

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
    await recordEvent(trx, 'password_reset_requested', user?.id ?? null, now, meta);
    if (!user) return;
    const code = newCode();
    await codes.replaceCode(trx, {
      user_id: user.id,
      purpose: 'reset',
      code_hash: hashCode(user.id, 'reset', code),
      expires_at: now + config.codeTtlMinutes * 60_000,
      created_at: now,
    });
    await outbox.enqueue(trx, passwordResetMail(deps.mail, user.email, user.username, code), now);
    queued = true;
  });
  if (queued) deps.mailQueued();
}

/**
 * Sets a new password with a mailed code and ends every session of the account. Wrong, expired, used and unknown-email
 * all answer `invalid_code` alike; the 5th wrong try burns the code.
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
    const code = user && (await codes.latestCode(trx, user.id, 'reset'));
    if (!user || !code || code.used_at !== null || code.expires_at <= now) {
      await recordEvent(trx, 'password_reset_failed', user?.id ?? null, now, meta);
      // The failure must be kept although the request fails, so it commits first.
      return 'failed' as const;
    }
    if (!equalHashes(code.code_hash, hashCode(user.id, 'reset', input.code))) {
      await codes.recordWrongTry(trx, code.id, code.attempts + 1 >= MAX_CODE_TRIES ? now : null);
      await recordEvent(trx, 'password_reset_failed', user.id, now, meta);
      return 'failed' as const;
    }
    // Only someone holding the right code gets this far, so this cannot reveal an address's username.
    checkPassword(input.password, { username: user.username, email: user.email });
    if (!(await codes.useCode(trx, code.id, now))) return 'failed' as const;
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
    await recordEvent(trx, 'password_reset', user.id, now, meta);
    return user.id;
  });
  if (outcome === 'failed') throw invalidCode();
  deps.mailQueued();
  deps.userSessionsEnded(outcome);
}
