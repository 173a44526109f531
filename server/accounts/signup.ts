import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import { isUniqueViolation } from '../store/db.js';
import * as users from '../store/users.js';
import * as codes from '../store/codes.js';
import * as outbox from '../store/outbox.js';
import * as audit from '../store/audit.js';
import { existingAccountMail, verificationMail } from '../mail/templates.js';
import { checkPassword } from './fields.js';
import { hashCode, newCode } from './secrets.js';
import type { AccountsDeps, RequestMeta } from './context.js';

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
      await audit.record(trx, {
        user_id: existing.id,
        type: 'signup_existing_email',
        at: now,
        ip: meta.ip,
        user_agent: meta.userAgent,
      });
      return 'existing_email' as const;
    }
    const userId = await users.insertUser(trx, {
      username: input.username,
      email: input.email,
      password_hash: passwordHash,
      created_at: now,
    });
    const code = newCode();
    await codes.replaceCode(trx, {
      user_id: userId,
      purpose: 'verify',
      code_hash: hashCode(userId, 'verify', code),
      expires_at: now + config.codeTtlMinutes * 60_000,
      created_at: now,
    });
    await outbox.enqueue(trx, verificationMail(deps.mail, input.email, input.username, code), now);
    await audit.record(trx, {
      user_id: userId,
      type: 'signup',
      at: now,
      ip: meta.ip,
      user_agent: meta.userAgent,
    });
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
