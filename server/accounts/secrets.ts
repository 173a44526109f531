import { hash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 32 bytes from the CSPRNG: 256 bits, as the contract requires for session tokens. */
export const newToken = (): string => randomBytes(32).toString('base64url');

export const newId = (): string => randomBytes(16).toString('hex');

// The one-shot hash: a quarter of createHash's cost, paid on every authenticated request.
export const sha256 = (value: string): string => hash('sha256', value, 'hex');

/** Six digits, uniformly drawn; leading zeros kept. */
export const newCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/**
 * A code is hashed with its owner and purpose, so equal codes of two users or two purposes
 * never share a hash and a stolen hash cannot be replayed elsewhere.
 */
export const hashCode = (userId: number, purpose: string, code: string): string =>
  sha256(`${purpose}:${userId}:${code}`);

export function equalHashes(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
