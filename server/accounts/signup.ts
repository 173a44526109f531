import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import { isLostRace, isUniqueViolation, readerOf } from '../store/db.js';
import * as users from '../store/users.js';
import * as outbox from '../store/outbox.js';
import * as audit from '../store/audit.js';
import * as codes from '../store/codes.js';
import * as codeFailures from '../store/code-failures.js';
import * as sessions from '../store/sessions.js';
import type { UserRow } from '../store/users.js';
import type { Language } from '../../i18n/index.js';
import { existingAccountMail, verificationMail } from '../mail/templates.js';
import { checkPassword } from './passwords.js';
import { countCodeTry, hasFreshCode, invalidCode, issueCode, tryCode, useCode } from './codes.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * Signing up and proving the address: an unverified account and its mailed code, the code
 * entered, a new code on request.
 */

export interface SignupInput {
  username: string;
  email: string;
  password: string;
  /**
   * The language of the account's mails, from the very first (the code): what the signup asked
   * for, or what its door read from the request (Accept-Language); none means English.
   */
  locale?: Language | null;
}

/**
 * Creates an unverified account and queues its code in one transaction. An email that already
 * has a verified account gets a notice instead (pointing to password reset) and the caller sees
 * the same answer as a success, so signup cannot be used to learn who has an account. Both
 * paths hash the password, so they also take the same time.
 *
 * An unverified account holds nothing: a later signup with its email replaces it (and its
 * code), as does one with its username once it has expired (UNVERIFIED_EXPIRY_MARGIN_MS past
 * its code window) or when the email is the same. So nobody can sign up first with someone
 * else's address and wait for its owner to verify the account they chose the password of.
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
  // A taken username is refused before the hash, read on a reader connection: a refusal never
  // waits for (or spends) a hashing slot. The answer tells the name is taken anyway; the check
  // is made again in the transaction below, which decides.
  const takenName = await users.findByUsername(readerOf(db), input.username);
  if (takenName && holdsName(deps, takenName, input.email, clock.now())) throw usernameTaken();
  const weight = await deps.limits.kdf(meta.ip);
  const passwordHash = await hasher.hash(input.password, weight);
  const now = clock.now();

  const work = async (trx: Knex.Transaction) => {
    const byName = await users.findByUsername(trx, input.username);
    if (byName) {
      if (holdsName(deps, byName, input.email, now)) throw usernameTaken();
      await removeUnverified(trx, byName.id);
    }
    const existing = await users.findByEmail(trx, input.email);
    if (existing && existing.email_verified_at !== null) {
      await outbox.enqueue(trx, existingAccountMail(deps.mail, existing), now);
      await audit.record(trx, 'signup_existing_email', existing.id, now, meta);
      return 'existing_email' as const;
    }
    if (existing) await removeUnverified(trx, existing.id);
    const userId = await users.insertUser(trx, {
      username: input.username,
      email: input.email,
      password_hash: passwordHash,
      created_at: now,
      locale: input.locale ?? null,
    });
    const code = await issueCode(deps, trx, userId, 'verify', now, config.codeTtlMinutes);
    await outbox.enqueue(
      trx,
      verificationMail(
        deps.mail,
        { email: input.email, username: input.username, locale: input.locale ?? null },
        code,
      ),
      now,
    );
    await audit.record(trx, 'signup', userId, now, meta);
    return 'created' as const;
  };
  // Signups racing for one username or email all find it free; on PostgreSQL all but one insert
  // then fail on the unique index (SQLite runs them one after another). Again, a loser finds the
  // winner's row and answers username_taken, or takes the existing-email path - or, when the
  // winner is an unverified account it may replace, races the other losers once more (losing to
  // a deadlock the same way): each round has a winner, so a few rounds settle any burst.
  const outcome = await (async function attempt(round: number): Promise<'created' | 'existing_email'> {
    try {
      return await db.transaction(work);
    } catch (err) {
      if ((isUniqueViolation(err) || isLostRace(err)) && round < 10) return attempt(round + 1);
      throw err;
    }
  })(1);
  deps.mailQueued();
  return outcome;
}

const usernameTaken = () => new AppError('username_taken', 'that username is taken', { field: 'username' });

/**
 * Whether an account keeps its username from a signup with `email`: a verified one always, an
 * unverified one until it expires, unless the signup names its own email (which replaces it).
 */
const holdsName = (deps: AccountsDeps, user: UserRow, email: string, now: number): boolean =>
  user.email_verified_at !== null || !(user.email === email || isExpired(deps, user, now));

/**
 * How long an unverified account outlives its code window: time to ask for a new code or two.
 * Past it, the account no longer holds its username, takes no code, and is replaced by the
 * next signup that names it.
 */
export const UNVERIFIED_EXPIRY_MARGIN_MS = 60 * 60_000;

/** An unverified account past its code window and the margin. */
export const isExpired = (deps: AccountsDeps, user: UserRow, now: number): boolean =>
  user.email_verified_at === null &&
  now > user.created_at + deps.config.codeTtlMinutes * 60_000 + UNVERIFIED_EXPIRY_MARGIN_MS;

/** Removes an unverified account: it never logged in, so only its codes and events refer to it. */
export async function removeUnverified(trx: Knex, userId: number): Promise<void> {
  await codes.deleteAllOfUser(trx, userId);
  await codeFailures.deleteAllOfUser(trx, userId);
  await sessions.deleteAllOfUser(trx, userId);
  await audit.detachFromUser(trx, userId);
  await users.deleteUser(trx, userId);
}

/**
 * Wrong, expired, used, unknown-email, expired-account and already-verified all answer
 * `invalid_code` alike and count as a wrong code for the address and the email: an old code
 * of a verified account must not say that the address has an account. Past
 * CHALLENGE_AFTER_FAILURES of them a try must carry a solved challenge.
 */
export async function verifyEmail(
  deps: AccountsDeps,
  input: { email: string; code: string },
  meta: RequestMeta,
): Promise<void> {
  const attempt = await countCodeTry(deps, input.email, meta);
  const now = deps.clock.now();
  const outcome = await deps.db.transaction(async (trx) => {
    // Locked: two tries at once must count as two, and a second right code must find the first's work.
    const user = await users.findByEmailForUpdate(trx, input.email);
    if (!user || user.email_verified_at !== null || isExpired(deps, user, now)) return 'failed';
    const tried = await tryCode(deps, trx, user, 'verify', input.code, now, meta);
    if (!tried.ok || !(await useCode(trx, tried.codeId, now))) {
      await audit.record(trx, 'verification_failed', user.id, now, meta);
      // The failed try must be kept although the request fails, so it commits first.
      return tried.ok || !tried.noticeQueued ? 'failed' : 'failed_notice';
    }
    await users.markVerified(trx, user.id, now);
    await audit.record(trx, 'email_verified', user.id, now, meta);
    return 'verified';
  });
  if (outcome === 'verified') {
    deps.metrics.verification();
    return attempt.refund();
  }
  if (outcome === 'failed_notice') deps.mailQueued();
  throw invalidCode();
}

/**
 * Same answer whether or not the account exists; a new code replaces the old one, unless the
 * old one is live and younger than CODE_REPLACE_AFTER_MS.
 */
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
    if (!user || user.email_verified_at !== null || isExpired(deps, user, now)) return;
    if (await hasFreshCode(trx, user.id, 'verify', now)) return;
    const code = await issueCode(deps, trx, user.id, 'verify', now, config.codeTtlMinutes);
    await outbox.enqueue(trx, verificationMail(deps.mail, user, code), now);
    await audit.record(trx, 'verification_resent', user.id, now, meta);
    queued = true;
  });
  if (queued) deps.mailQueued();
}
