import { randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { TWO_FACTOR } from '../protocol.js';

/*
 * The two second factors, as values: TOTP codes (RFC 6238 through otpauth: SHA-1, 6 digits,
 * 30-second steps, one step of skew either way) and backup codes (12 characters from a
 * 32-letter alphabet, 60 bits, grouped for typing).
 */

const ISSUER = 'mux1';

/** A fresh 160-bit secret (RFC 4226's recommended length), in base32. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

const totp = (secretBase32: string, username = '') =>
  new TOTP({
    issuer: ISSUER,
    label: username,
    algorithm: 'SHA1',
    digits: TWO_FACTOR.totpDigits,
    period: TWO_FACTOR.periodSeconds,
    secret: Secret.fromBase32(secretBase32),
  });

/** The otpauth:// URI an authenticator app reads from the QR code. */
export const otpauthUrl = (secretBase32: string, username: string): string =>
  totp(secretBase32, username).toString();

/** The time step a time falls in; codes are counted per step. */
export const stepOf = (ms: number): number => Math.floor(ms / 1000 / TWO_FACTOR.periodSeconds);

/**
 * The time step `code` belongs to when it is right at `now` (this step or one either side),
 * else undefined. Not whether it was used already: the caller records the step (useStep).
 */
export function totpStep(secretBase32: string, code: string, now: number): number | undefined {
  if (!new RegExp(`^\\d{${TWO_FACTOR.totpDigits}}$`).test(code)) return undefined;
  const delta = totp(secretBase32).validate({ token: code, timestamp: now, window: TWO_FACTOR.skewSteps });
  return delta === null ? undefined : stepOf(now) + delta;
}

/** Crockford's base32: no I, L, O or U, so nothing reads as another character. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A new backup code, e.g. `7k2m-x9qa-4hbn`: 12 letters of 5 bits each. */
export function newBackupCode(): string {
  const chars = Array.from(
    { length: TWO_FACTOR.backupCodeLength },
    () => ALPHABET[randomInt(ALPHABET.length)],
  );
  return chars.join('').replace(/(.{4})(?=.)/g, '$1-');
}

/**
 * A typed backup code as it was issued, or undefined when it cannot be one: case, spaces and
 * dashes do not matter, and the letters people confuse with digits read as those digits.
 */
export function normaliseBackupCode(typed: string): string | undefined {
  const plain = typed.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  if (plain.length !== TWO_FACTOR.backupCodeLength || ![...plain].every((c) => ALPHABET.includes(c))) {
    return undefined;
  }
  return plain;
}
