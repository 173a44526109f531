/*
 * Personal access tokens as the clients see them: the scopes there are, what a server takes for a
 * name and an expiry, and what a token looks like - so the CLI, the TUI and scripts refuse a typo
 * before anything is sent, and say what is wrong with a token in MUX1_TOKEN in plain words.
 */

import { accessTokenChecksum, TOKEN_SCOPES, TOKENS, type TokenScope } from '../../server/protocol.js';

export { TOKEN_SCOPES, type TokenScope };
export type {
  CreateTokenBody as CreatedToken,
  CreateTokenRequest,
  TokenInfo,
  TokensBody,
} from '../../server/protocol.js';

export const TOKEN_PREFIX = TOKENS.prefix;

export const TOKEN_LIMITS = {
  nameMax: TOKENS.nameMax,
  daysMin: TOKENS.expiresDaysMin,
  daysMax: TOKENS.expiresDaysMax,
  defaultDays: TOKENS.expiresDaysDefault,
  liveMax: TOKENS.maxLive,
  /** Base62 characters after the prefix: the secret, then the checksum. */
  bodyLength: TOKENS.secretLength + TOKENS.checksumLength,
} as const;

export function isTokenScope(scope: string): scope is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(scope);
}

export function tokenNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'give the token a name, such as the script that will use it';
  if (trimmed.length > TOKEN_LIMITS.nameMax) {
    return `a token name is at most ${TOKEN_LIMITS.nameMax} characters`;
  }
  if (/\p{Cc}/u.test(trimmed)) return 'a token name is one line of text, without control characters';
  return undefined;
}

export function scopeProblem(scope: string): string | undefined {
  return isTokenScope(scope)
    ? undefined
    : `unknown scope '${scope}': the scopes are ${TOKEN_SCOPES.join(', ')}`;
}

/** Whole days, 1-365; anything else (0, 366, 1.5, abc) is refused with the range. */
export function expiryDaysProblem(days: string): string | undefined {
  const { daysMin, daysMax } = TOKEN_LIMITS;
  const ok = /^\d{1,3}$/.test(days.trim()) && Number(days) >= daysMin && Number(days) <= daysMax;
  return ok
    ? undefined
    : `expiry must be a whole number of days from ${daysMin} to ${daysMax}, not '${days}'`;
}

export const isPersonalAccessToken = (token: string) => token.startsWith(TOKEN_PREFIX);

/**
 * What is wrong with a token as pasted into MUX1_TOKEN, when it is plainly wrong: it could not be
 * sent as a header, or is a personal access token cut short. Otherwise only the server can tell.
 */
export function tokenShapeProblem(token: string): string | undefined {
  if (!/^[\x21-\x7e]+$/.test(token)) {
    return 'MUX1_TOKEN holds spaces, line breaks or other characters no token has; paste the token alone';
  }
  if (isPersonalAccessToken(token)) {
    const expected = TOKEN_PREFIX.length + TOKEN_LIMITS.bodyLength;
    if (token.length !== expected || !/^[0-9A-Za-z]+$/.test(token.slice(TOKEN_PREFIX.length))) {
      const how = token.length < expected ? 'cut short' : token.length > expected ? 'too long' : 'mistyped';
      return (
        `MUX1_TOKEN looks ${how}: a personal access token is mux1_pat_ and ` +
        `${TOKEN_LIMITS.bodyLength} more letters and digits; copy it again`
      );
    }
    if (accessTokenChecksum(token.slice(0, -TOKENS.checksumLength)) !== token.slice(-TOKENS.checksumLength)) {
      return 'MUX1_TOKEN is not a whole token: its last characters do not match the rest (mistyped?); copy it again';
    }
  }
  if (token.length > 512) return 'MUX1_TOKEN is far longer than any mux1 token; paste the token alone';
  return undefined;
}
