/*
 * Personal access tokens as the clients see them: the scopes there are, what a server takes for a
 * name and an expiry, and what a token looks like - so the CLI, the TUI and scripts refuse a typo
 * before anything is sent, and say what is wrong with a token in MUX1_TOKEN in plain words.
 */

/** What a token may be given; a token can never manage the account, whatever its scopes. */
export const TOKEN_SCOPES = ['profile:read', 'chat:read', 'chat:write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What each scope lets a script do, for help texts and the token screens. */
export const SCOPE_MEANING: Record<TokenScope, string> = {
  'profile:read': 'read your profile (whoami)',
  'chat:read': 'join rooms, read history, receive messages',
  'chat:write': 'send messages',
};

export const TOKEN_PREFIX = 'mux1_pat_';

export const TOKEN_LIMITS = {
  nameMax: 64,
  daysMin: 1,
  daysMax: 365,
  /** When neither days nor "no expiry" is asked for, the server gives a token this many days. */
  defaultDays: 90,
  /** Live tokens per account. */
  liveMax: 50,
  /** Letters and digits after the prefix: 43 of secret (256 bits), 6 of checksum. */
  bodyLength: 49,
} as const;

/** POST /api/tokens: expires_in_days left out is the default, null is no expiry. */
export interface CreateTokenRequest {
  name: string;
  scopes: TokenScope[];
  expires_in_days?: number | null;
}

/** The one answer that holds the token itself. */
export interface CreatedToken {
  id: string;
  name: string;
  token: string;
  scopes: TokenScope[];
  expires_at: string | null;
}

export interface TokenInfo {
  id: string;
  name: string;
  scopes: TokenScope[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface TokensBody {
  tokens: TokenInfo[];
}

export function isTokenScope(scope: string): scope is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(scope);
}

export function tokenNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'give the token a name, such as the script that will use it';
  if ([...trimmed].length > TOKEN_LIMITS.nameMax) {
    return `a token name is at most ${TOKEN_LIMITS.nameMax} characters`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed))
    return 'a token name is one line of text, without control characters';
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
  // 43 base62 characters of secret and a 6-character checksum follow the prefix.
  if (isPersonalAccessToken(token) && token.length !== TOKEN_PREFIX.length + TOKEN_LIMITS.bodyLength) {
    const how = token.length < TOKEN_PREFIX.length + TOKEN_LIMITS.bodyLength ? 'cut short' : 'too long';
    return (
      `MUX1_TOKEN looks ${how}: a personal access token is mux1_pat_ and ` +
      `${TOKEN_LIMITS.bodyLength} more letters and digits; copy it again`
    );
  }
  if (token.length > 512) return 'MUX1_TOKEN is far longer than any mux1 token; paste the token alone';
  return undefined;
}
