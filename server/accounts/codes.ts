import { randomInt, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import { LIMITS } from '../protocol.js';
import * as codes from '../store/codes.js';
import * as codeFailures from '../store/code-failures.js';
import * as outbox from '../store/outbox.js';
import * as audit from '../store/audit.js';
import type { CodePurpose } from '../store/codes.js';
import type { UserRow } from '../store/users.js';
import { wrongCodesNotice } from '../mail/code-notices.js';
import { CHALLENGE_AFTER_FAILURES, type Attempt } from '../limits/index.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * The mailed codes (verifying an address, resetting a password), issued and checked one way:
 * LIMITS.codeDigits digits from the CSPRNG, stored as a keyed hash, single use, expiring after
 * CODE_TTL_MINUTES, burnt by the MAX_CODE_TRIES-th wrong try, refused for the rest of the day
 * once the account has LIMIT_WRONG_CODES_PER_DAY wrong tries; a new code replaces the old one.
 */

/** Wrong tries a code survives; the one that reaches this count burns it. */
export const MAX_CODE_TRIES = 5;

/** Wrong, expired, used and unknown-email all get this one answer, so it reveals nothing. */
export const invalidCode = () =>
  new AppError('invalid_code', 'the code is wrong, expired or already used', { field: 'code' });

/**
 * A code is hashed with its owner and purpose, so equal codes of two users or two purposes
 * never share a hash and a stolen hash cannot be replayed elsewhere; and keyed (HMAC-SHA-256
 * under SECRET_KEY), because a million codes are tried in a moment: a plain hash in a leaked
 * database would give up every live code.
 */
const hashCode = (deps: Pick<AccountsDeps, 'key'>, userId: number, purpose: CodePurpose, code: string) =>
  deps.key.mac(`email-code:${purpose}:${userId}:${code}`);

function matches(
  deps: Pick<AccountsDeps, 'key'>,
  stored: string,
  userId: number,
  purpose: CodePurpose,
  given: string,
): boolean {
  const x = Buffer.from(stored, 'hex');
  const y = Buffer.from(hashCode(deps, userId, purpose, given), 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Counts a try of a mailed code against the address and the email (LIMIT_CODE_FAILURES_PER_10MIN)
 * before any work, and past CHALLENGE_AFTER_FAILURES of them asks for a solved challenge; a try
 * refused for a missing challenge gives its point back, so only checked codes count. The caller
 * refunds the returned attempt once the code was right.
 */
export async function countCodeTry(deps: AccountsDeps, email: string, meta: RequestMeta): Promise<Attempt> {
  const attempt = await deps.limits.codeTry(email, meta.ip);
  if (attempt.before >= CHALLENGE_AFTER_FAILURES) {
    try {
      await deps.limits.challenges.require(meta.challenge);
    } catch (err) {
      await attempt.refund();
      throw err;
    }
  }
  return attempt;
}

/** A new code for `purpose`, replacing any earlier one; returns it in clear, for the mail only. */
export async function issueCode(
  deps: Pick<AccountsDeps, 'key'>,
  trx: Knex,
  userId: number,
  purpose: CodePurpose,
  now: number,
  ttlMinutes: number,
): Promise<string> {
  // Uniformly drawn; leading zeros kept.
  const code = String(randomInt(0, 10 ** LIMITS.codeDigits)).padStart(LIMITS.codeDigits, '0');
  await codes.replaceCode(trx, {
    user_id: userId,
    purpose,
    code_hash: hashCode(deps, userId, purpose, code),
    expires_at: now + ttlMinutes * 60_000,
    created_at: now,
  });
  return code;
}

/** What a try of a code found: the live code it matched (not yet used), or a refusal. */
export type CodeTry = { ok: true; codeId: number } | { ok: false; noticeQueued: boolean };

const DAY_MS = 86_400_000;

/**
 * Checks `given` against the user's newest code of `purpose` without using it up (useCode does,
 * once the work it allows is done). A wrong try is counted twice: against the code (the
 * MAX_CODE_TRIES-th burns it) and against the account's day (LIMIT_WRONG_CODES_PER_DAY across
 * every code; reaching it mails the owner once, and from then until midnight UTC every code is
 * refused, right or not). Both counts must be committed although the request fails. Run it in
 * a transaction that locked the user's row, so tries at once each count.
 */
export async function tryCode(
  deps: AccountsDeps,
  trx: Knex,
  user: UserRow,
  purpose: CodePurpose,
  given: string,
  now: number,
  meta: RequestMeta,
): Promise<CodeTry> {
  const limit = deps.config.limitWrongCodesPerDay;
  const day = Math.floor(now / DAY_MS);
  if ((await codeFailures.countOn(trx, user.id, day)) >= limit) return { ok: false, noticeQueued: false };
  const code = await codes.latestCode(trx, user.id, purpose);
  if (!code || code.used_at !== null || code.expires_at <= now) return { ok: false, noticeQueued: false };
  if (matches(deps, code.code_hash, user.id, purpose, given)) return { ok: true, codeId: code.id };
  await codes.recordWrongTry(trx, code.id, code.attempts + 1 >= MAX_CODE_TRIES ? now : null);
  if ((await codeFailures.add(trx, user.id, day)) !== limit) return { ok: false, noticeQueued: false };
  await outbox.enqueue(trx, wrongCodesNotice(deps.mail, user, limit), now);
  await audit.record(trx, 'wrong_codes_limit_reached', user.id, now, meta);
  return { ok: false, noticeQueued: true };
}

/** Uses up a code tryCode matched; false when another request used it first. */
export const useCode = (trx: Knex, codeId: number, now: number): Promise<boolean> =>
  codes.useCode(trx, codeId, now);

/**
 * How long a live code is kept before an unauthenticated request (resend, forgot) may replace
 * it: otherwise anyone who knows an address can replace its owner's code as fast as mails are
 * allowed, so the code in the owner's inbox never works.
 */
export const CODE_REPLACE_AFTER_MS = 3 * 60_000;

/** True when the user's newest code of `purpose` is live and younger than CODE_REPLACE_AFTER_MS. */
export async function hasFreshCode(
  trx: Knex,
  userId: number,
  purpose: CodePurpose,
  now: number,
): Promise<boolean> {
  const code = await codes.latestCode(trx, userId, purpose);
  return (
    code !== undefined &&
    code.used_at === null &&
    code.expires_at > now &&
    now - code.created_at < CODE_REPLACE_AFTER_MS
  );
}
