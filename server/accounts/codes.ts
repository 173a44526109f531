import { hash, randomInt, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import { LIMITS } from '../protocol.js';
import * as codes from '../store/codes.js';
import type { CodePurpose } from '../store/codes.js';

/*
 * The mailed codes (verifying an address, resetting a password), issued and checked one way:
 * LIMITS.codeDigits digits from the CSPRNG, stored hashed, single use, expiring after
 * CODE_TTL_MINUTES, burnt by the MAX_CODE_TRIES-th wrong try; a new code replaces the old one.
 */

/** Wrong tries a code survives; the one that reaches this count burns it. */
export const MAX_CODE_TRIES = 5;

/** Wrong, expired, used and unknown-email all get this one answer, so it reveals nothing. */
export const invalidCode = () =>
  new AppError('invalid_code', 'the code is wrong, expired or already used', { field: 'code' });

/**
 * A code is hashed with its owner and purpose, so equal codes of two users or two purposes
 * never share a hash and a stolen hash cannot be replayed elsewhere.
 */
const hashCode = (userId: number, purpose: CodePurpose, code: string): string =>
  hash('sha256', `${purpose}:${userId}:${code}`, 'hex');

function matches(stored: string, userId: number, purpose: CodePurpose, given: string): boolean {
  const x = Buffer.from(stored, 'hex');
  const y = Buffer.from(hashCode(userId, purpose, given), 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A new code for `purpose`, replacing any earlier one; returns it in clear, for the mail only. */
export async function issueCode(
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
    code_hash: hashCode(userId, purpose, code),
    expires_at: now + ttlMinutes * 60_000,
    created_at: now,
  });
  return code;
}

/**
 * Checks `given` against the user's newest code of `purpose` and, when it is right, uses it up.
 * `unusable`: there is none, or it is used or expired. `wrong`: the try is counted (and burns the
 * code at MAX_CODE_TRIES); it must be committed although the request fails. Run it in a
 * transaction that locked the user's row, so tries at once each count.
 */
export async function redeemCode(
  trx: Knex,
  userId: number,
  purpose: CodePurpose,
  given: string,
  now: number,
): Promise<'ok' | 'wrong' | 'unusable'> {
  const code = await codes.latestCode(trx, userId, purpose);
  if (!code || code.used_at !== null || code.expires_at <= now) return 'unusable';
  if (!matches(code.code_hash, userId, purpose, given)) {
    await codes.recordWrongTry(trx, code.id, code.attempts + 1 >= MAX_CODE_TRIES ? now : null);
    return 'wrong';
  }
  return (await codes.useCode(trx, code.id, now)) ? 'ok' : 'unusable';
}

/** True when `given` is the user's newest code of `purpose`, used or not (a repeated request). */
export async function isLatestCode(
  trx: Knex,
  userId: number,
  purpose: CodePurpose,
  given: string,
): Promise<boolean> {
  const code = await codes.latestCode(trx, userId, purpose);
  return code !== undefined && matches(code.code_hash, userId, purpose, given);
}
