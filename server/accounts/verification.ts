import { AppError } from '../errors.js';
import * as users from '../store/users.js';
import * as codes from '../store/codes.js';
import * as outbox from '../store/outbox.js';
import * as audit from '../store/audit.js';
import { verificationMail } from '../mail/templates.js';
import { equalHashes, hashCode, newCode } from './secrets.js';
import type { AccountsDeps, RequestMeta } from './context.js';

export const MAX_CODE_TRIES = 5;

const invalidCode = () =>
  new AppError('invalid_code', 'the code is wrong, expired or already used', { field: 'code' });

export type VerifyOutcome = 'verified' | 'already_verified';

/**
 * Wrong, expired, used and unknown-email all answer `invalid_code` alike. Submitting the code
 * that already verified the account again answers success, so a retried request is harmless.
 */
export async function verifyEmail(
  deps: AccountsDeps,
  input: { email: string; code: string },
  meta: RequestMeta,
): Promise<VerifyOutcome> {
  const { db, clock } = deps;
  const now = clock.now();
  return db
    .transaction(async (trx) => {
      // Locked: two tries at once must count as two, and a second right code must find the first's work.
      const user = await users.findByEmailForUpdate(trx, input.email);
      if (!user) throw invalidCode();
      const code = await codes.latestCode(trx, user.id, 'verify');
      if (!code) throw invalidCode();
      const matches = equalHashes(code.code_hash, hashCode(user.id, 'verify', input.code));
      if (user.email_verified_at !== null) {
        if (matches) return 'already_verified';
        throw invalidCode();
      }
      if (code.used_at !== null || code.expires_at <= now) throw invalidCode();
      if (!matches) {
        const tries = code.attempts + 1;
        await codes.recordWrongTry(trx, code.id, tries >= MAX_CODE_TRIES ? now : null);
        await audit.record(trx, {
          user_id: user.id,
          type: 'verification_failed',
          at: now,
          ip: meta.ip,
          user_agent: meta.userAgent,
        });
        // The failed try must be kept although the request fails, so it commits first.
        return 'failed' as const;
      }
      if (!(await codes.useCode(trx, code.id, now))) throw invalidCode();
      await users.markVerified(trx, user.id, now);
      await audit.record(trx, {
        user_id: user.id,
        type: 'email_verified',
        at: now,
        ip: meta.ip,
        user_agent: meta.userAgent,
      });
      return 'verified';
    })
    .then((outcome) => {
      if (outcome === 'failed') throw invalidCode();
      return outcome;
    });
}

/** Same answer whether or not the account exists; a new code replaces the old one. */
export async function resendVerification(
  deps: AccountsDeps,
  email: string,
  meta: RequestMeta,
): Promise<void> {
  const { db, clock, config } = deps;
  // Counted whether or not the account exists, so the 429 tells nothing about it either.
  await deps.limits.consumeResend(email, meta.ip);
  const now = clock.now();
  let queued = false;
  await db.transaction(async (trx) => {
    const user = await users.findByEmail(trx, email);
    if (!user || user.email_verified_at !== null) return;
    const code = newCode();
    await codes.replaceCode(trx, {
      user_id: user.id,
      purpose: 'verify',
      code_hash: hashCode(user.id, 'verify', code),
      expires_at: now + config.codeTtlMinutes * 60_000,
      created_at: now,
    });
    await outbox.enqueue(trx, verificationMail(deps.mail, user.email, user.username, code), now);
    await audit.record(trx, {
      user_id: user.id,
      type: 'verification_resent',
      at: now,
      ip: meta.ip,
      user_agent: meta.userAgent,
    });
    queued = true;
  });
  if (queued) deps.mailQueued();
}
