import { randomInt } from 'node:crypto';
import { accessTokenChecksum as checksumOf, TOKENS } from '../protocol.js';

/*
 * The shape of a personal access token: `mux1_pat_` + 43 base62 characters from the CSPRNG
 * (256 bits) + 6 base62 characters of CRC32 over everything before them. The prefix lets secret
 * scanners find a leaked token and the server tell it from a session token; the checksum lets
 * both tell a mistyped or cut-short token from a real one without asking the database, so a
 * flood of made-up tokens costs no query. The checksum is no secret and proves nothing: only the
 * stored hash does.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LENGTH = TOKENS.prefix.length + TOKENS.secretLength + TOKENS.checksumLength;
const SHAPE = new RegExp(`^${TOKENS.prefix}[0-9A-Za-z]{${TOKENS.secretLength + TOKENS.checksumLength}}$`);

export function newAccessToken(): string {
  // randomInt draws without modulo bias, so every character carries log2(62) bits.
  let secret = '';
  for (let i = 0; i < TOKENS.secretLength; i++) secret += BASE62[randomInt(62)];
  const body = TOKENS.prefix + secret;
  return body + checksumOf(body);
}

/** Whether a bearer token claims to be a personal access token (session tokens are base64url). */
export const looksLikeAccessToken = (token: string): boolean => token.startsWith(TOKENS.prefix);

/** Whether a personal access token has the right length, alphabet and checksum; no database. */
export function isWellFormedAccessToken(token: string): boolean {
  if (token.length !== LENGTH || !SHAPE.test(token)) return false;
  const cut = token.length - TOKENS.checksumLength;
  return checksumOf(token.slice(0, cut)) === token.slice(cut);
}
