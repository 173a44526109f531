import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import { isUniqueViolation } from '../store/db.js';
import * as users from '../store/users.js';
import * as outbox from '../store/outbox.js';
import * as audit from '../store/audit.js';
import { existingAccountMail, verificationMail } from '../mail/templates.js';
import { checkPassword } from './passwords.js';
import { invalidCode, isLatestCode, issueCode, redeemCode } from './codes.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * Signing up and proving the address: an unverified account and its mailed code, the code
 * entered, a new code on request.
 */

export interface SignupInput {
  username: string;
  email: string;
  password: string;
}

/**
 * Creates an unverified account and queues its code in one transaction. An email that already
 * has an account gets a notice instead and the caller sees the same answer as a success, so
 * signup cannot be used to learn who has an account. Both paths hash the password, so they
 * also take the same time.
 */
export async function signup(deps: AccountsDeps, input: SignupInput, meta: RequestMeta): Promise<void> {
  // Counted before any work (the scrypt hash is the expensive part); past half the address's
  // budget a signup must carry a solved challenge. A signup refused for its fields, its
  // username or a missing challenge gives its point back: only accepted signups count.
  const fromAddress = await deps.limits.signup(meta.ip);
  try {
    if (fromAddress.before * 2 >= deps.config.limitSignupsPer10Min) {
      await deps.limits.challenges.require(meta.challenge);
    }
    deps.metrics.signup(await createAccount(deps, input, meta));
  } catch (err) {
    await fromAddress.refund();
    throw err;
  }
}

async function createAccount(
  deps: AccountsDeps,
  input: SignupInput,
  meta: RequestMeta,
): Promise<'created' | 'existing_email'> {
  const { db, clock, hasher, config } = deps;
  checkPassword(input.password, input);
  const passwordHash = await hasher.hash(input.password);
  const now = clock.now();

  const work = async (trx: Knex.Transaction) => {
    if (await users.findByUsername(trx, input.username)) {
      throw new AppError('username_taken', 'that username is taken', { field: 'username' });
    }
    const existing = await users.findByEmail(trx, input.email);
    if (existing) {
      await outbox.enqueue(trx, existingAccountMail(deps.mail, input.email), now);
      await audit.record(trx, 'signup_existing_email', existing.id, now, meta);
      return 'existing_email' as const;
    }
    const userId = await users.insertUser(trx, {
      username: input.username,
      email: input.email,
      password_hash: passwordHash,
      created_at: now,
    });
    const code = await issueCode(trx, userId, 'verify', now, config.codeTtlMinutes);
    await outbox.enqueue(trx, verificationMail(deps.mail, input.email, input.username, code), now);
    await audit.record(trx, 'signup', userId, now, meta);
    return 'created' as const;
  };
  // Signups racing for one username or email all find it free; on PostgreSQL all but one insert
  // then fail on the unique index (SQLite runs them one after another). Once more, a loser finds
  // the winner's row and answers username_taken, or takes the existing-email path.
  const outcome = await db.transaction(work).catch((err: unknown) => {
    if (isUniqueViolation(err)) return db.transaction(work);
    throw err;
  });
  deps.mailQueued();
  return outcome;
}

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
  const now = deps.clock.now();
  const outcome = await deps.db.transaction(async (trx) => {
    // Locked: two tries at once must count as two, and a second right code must find the first's work.
    const user = await users.findByEmailForUpdate(trx, input.email);
    if (!user) throw invalidCode();
    if (user.email_verified_at !== null) {
      if (await isLatestCode(trx, user.id, 'verify', input.code)) return 'already_verified';
      throw invalidCode();
    }
    const redeemed = await redeemCode(trx, user.id, 'verify', input.code, now);
    if (redeemed === 'unusable') throw invalidCode();
    if (redeemed === 'wrong') {
      await audit.record(trx, 'verification_failed', user.id, now, meta);
      // The failed try must be kept although the request fails, so it commits first.
      return 'failed';
    }
    await users.markVerified(trx, user.id, now);
    await audit.record(trx, 'email_verified', user.id, now, meta);
    return 'verified';
  });
  if (outcome === 'failed') throw invalidCode();
  return outcome;
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
    const code = await issueCode(trx, user.id, 'verify', now, config.codeTtlMinutes);
    await outbox.enqueue(trx, verificationMail(deps.mail, user.email, user.username, code), now);
    await audit.record(trx, 'verification_resent', user.id, now, meta);
    queued = true;
  });
  if (queued) deps.mailQueued();
}
