import { z } from 'zod';
import { dictionary } from '@zxcvbn-ts/language-common';
import { LIMITS } from '../protocol.js';
import { AppError } from '../errors.js';

/*
 * The field rules of PROTOCOL.md, shared by every door (REST, Socket.IO) so they cannot drift.
 * Shapes are checked here; the password policy needs the other fields and runs in checkPassword.
 */

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
  .max(LIMITS.emailMax, 'username must be at most 254 characters');

/** A login password is only compared, never judged: old accounts may predate today's rules. */
export const loginPasswordField = z
  .string({ error: 'password must be a string' })
  .min(1, 'password is required')
  .max(LIMITS.passwordMax * 4, `password must be at most ${LIMITS.passwordMax} characters`)
  .transform((p) => p.normalize('NFKC'));

export const codeField = z
  .string({ error: 'code must be a string' })
  .trim()
  .regex(/^\d{6}$/, 'code must be 6 digits');

const common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

/** Rejects well-known passwords and ones equal to the username or email; no composition rules. */
export function checkPassword(password: string, others: { username?: string; email?: string }): void {
  const lower = password.toLowerCase();
  if (common.has(lower)) {
    throw new AppError('weak_password', 'password is too common; choose another', { field: 'password' });
  }
  const emailLocal = others.email?.split('@')[0];
  if (lower === others.username || lower === others.email || (emailLocal && lower === emailLocal)) {
    throw new AppError('weak_password', 'password must not be your username or email', {
      field: 'password',
    });
  }
}

export const commonPasswordCount = common.size;
