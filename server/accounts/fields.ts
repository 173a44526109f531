import { z } from 'zod';
import { LIMITS, TWO_FACTOR } from '../protocol.js';
import { LANGUAGES, isLanguage, type Language } from '../../i18n/index.js';

/*
 * The field rules of the contract (docs/api.md), shared by every door (REST, Socket.IO) so they cannot drift.
 * Shapes are checked here; the password policy needs the other fields and runs in checkPassword
 * (passwords.ts).
 */

/**
 * The language of an account's mails: one mux1 speaks, as its short tag, or null to forget the
 * choice (mails in English). Anything else is refused rather than guessed at: a client sending
 * "de-DE" learns the form at once.
 */
export const localeField = z
  .custom<Language>(isLanguage, { error: `locale must be one of ${LANGUAGES.join(', ')}, or null` })
  .nullable();

export const usernameField = z
  .string({ error: 'username must be a string' })
  .trim()
  .toLowerCase()
  .regex(
    new RegExp(`^[a-z0-9_.-]{${LIMITS.usernameMin},${LIMITS.usernameMax}}$`),
    `username must be ${LIMITS.usernameMin}-${LIMITS.usernameMax} characters of a-z, 0-9, _ . -`,
  );

export const emailField = z
  .string({ error: 'email must be a string' })
  .trim()
  .toLowerCase()
  .max(LIMITS.emailMax, `email must be at most ${LIMITS.emailMax} characters`)
  .pipe(z.email({ error: 'email must be a valid address' }));

/** Bounded before normalisation so a huge string cannot make NFKC or scrypt expensive. */
export const passwordField = z
  .string({ error: 'password must be a string' })
  .max(LIMITS.passwordMax * 4, `password must be at most ${LIMITS.passwordMax} characters`)
  .transform((p) => p.normalize('NFKC'))
  .refine(
    (p) => [...p].length >= LIMITS.passwordMin && [...p].length <= LIMITS.passwordMax,
    `password must be ${LIMITS.passwordMin}-${LIMITS.passwordMax} characters`,
  );

/** Login accepts a username or an email; anything longer than an email cannot match either. */
export const loginIdField = z
  .string({ error: 'username must be a string' })
  .trim()
  .toLowerCase()
  .min(1, 'username is required')
  .max(LIMITS.emailMax, `username must be at most ${LIMITS.emailMax} characters`);

/** A login password is only compared, never judged: old accounts may predate today's rules. */
export const loginPasswordField = z
  .string({ error: 'password must be a string' })
  .min(1, 'password is required')
  .max(LIMITS.passwordMax * 4, `password must be at most ${LIMITS.passwordMax} characters`)
  .transform((p) => p.normalize('NFKC'));

export const codeField = z
  .string({ error: 'code must be a string' })
  .trim()
  .regex(new RegExp(`^\\d{${LIMITS.codeDigits}}$`), `code must be ${LIMITS.codeDigits} digits`);

/** A TOTP code or a backup code; which of them, and whether it is right, the rules tell. */
export const secondFactorField = z
  .string({ error: 'code must be a string' })
  .trim()
  .min(1, 'code is required')
  .max(TWO_FACTOR.codeMax, `code must be at most ${TWO_FACTOR.codeMax} characters`);

/** An mfa_token is 43 characters of base64url; anything much longer names no pending login. */
export const mfaTokenField = z
  .string({ error: 'mfa_token must be a string' })
  .min(1, 'mfa_token is required')
  .max(200, 'mfa_token must be at most 200 characters');
