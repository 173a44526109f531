import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { TOKENS, TOKEN_SCOPES, type TokenScope } from '../protocol.js';
import * as tokens from '../store/access-tokens.js';
import * as users from '../store/users.js';
import * as audit from '../store/audit.js';
import type { AccessTokenRow } from '../store/access-tokens.js';
import type { AccountsDeps, RequestMeta } from './index.js';
import { callerOf, checkAccess } from './access.js';
import { credentialCacheFor } from './credential-cache.js';
import { isWellFormedAccessToken, newAccessToken } from './token-format.js';
import {
  mayUseCredentials,
  sha256,
  TOUCH_INTERVAL_MS,
  unauthorized,
  type Authenticated,
} from './sessions.js';

/*
 * Personal access tokens: made, listed and revoked by a signed-in person (never by a token),
 * and used by scripts in place of a session token, within their scopes. Stored as SHA-256 only:
 * a token is 256 random bits, so no one can guess one from its hash, and a slow password hash
 * would buy nothing but cost on every request (docs/security.md).
 */

const DAY = 86_400_000;

/** What a request made with a token may do, and which token it was. */
export interface TokenGrant {
  id: string;
  name: string;
  scopes: TokenScope[];
  /** ms since the epoch; null: never expires. */
  expiresAt: number | null;
}

/** Token ids say what they are, so the socket upkeep tells them from session ids without a query. */
const ID_SHAPE = /^tok_[0-9a-f]{32}$/;
export const isAccessTokenId = (id: string): boolean => ID_SHAPE.test(id);
const newTokenId = (): string => `tok_${randomBytes(16).toString('hex')}`;

const scopesOf = (row: AccessTokenRow): TokenScope[] =>
  row.scopes.split(' ').filter((s): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s));

const isLiveToken = (row: AccessTokenRow, now: number): boolean =>
  row.revoked_at === null && (row.expires_at === null || row.expires_at > now);

/** The token as the rest of the code sees a credential: a session-shaped row plus its grant. */
function asAuthenticated(user: Authenticated['user'], row: AccessTokenRow): Authenticated {
  return {
    user,
    session: {
      id: row.id,
      user_id: row.user_id,
      token_hash: row.token_hash,
      created_at: row.created_at,
      expires_at: row.expires_at ?? Number.MAX_SAFE_INTEGER,
      last_seen_at: row.last_used_at ?? row.created_at,
      user_agent: null,
      ip: row.last_used_ip,
      revoked_at: row.revoked_at,
    },
    token: { id: row.id, name: row.name, scopes: scopesOf(row), expiresAt: row.expires_at },
  };
}

/**
 * The account behind a personal access token, or 401. A token of the wrong shape or checksum is
 * refused before any query. A use is written at most once per TOUCH_INTERVAL_MS (when and from
 * where), and the first use of a token is audited.
 */
export async function authenticateAccessToken(
  deps: AccountsDeps,
  token: string,
  ip: string | null,
): Promise<Authenticated> {
  if (!isWellFormedAccessToken(token)) throw unauthorized();
  const now = deps.clock.now();
  const tokenHash = sha256(token);
  const cache = credentialCacheFor(deps.db);
  const cached = cache.get(tokenHash, now);
  if (cached?.token && cached.session.revoked_at === null && cached.session.expires_at > now) return cached;
  const stamp = cache.stamp;
  const row = await tokens.findByHash(deps.db, tokenHash);
  if (!row || !isLiveToken(row, now)) throw unauthorized();
  const user = await users.findById(deps.db, row.user_id);
  if (!user || !mayUseCredentials(user)) throw unauthorized();
  await recordUse(deps, row, now, ip);
  const auth = asAuthenticated(user, row);
  cache.set(tokenHash, stamp, now, auth);
  return auth;
}

/** last_used_at (and the address) at most once a minute; the very first use is audited. */
async function recordUse(
  deps: AccountsDeps,
  row: AccessTokenRow,
  now: number,
  ip: string | null | undefined,
): Promise<void> {
  if (row.last_used_at !== null && now - row.last_used_at < TOUCH_INTERVAL_MS) return;
  const address = ip === undefined ? row.last_used_ip : ip;
  if (row.last_used_at === null) {
    const first = await deps.db.transaction(async (trx) => {
      if (!(await tokens.touchFirst(trx, row.id, now, address))) return false;
      await audit.record(trx, 'token_first_used', row.user_id, now, { ip: address, userAgent: null });
      return true;
    });
    if (!first) await tokens.touch(deps.db, row.id, now, address);
  } else {
    await tokens.touch(deps.db, row.id, now, address);
  }
  row.last_used_at = now;
  row.last_used_ip = address;
}

/** For a socket held open with a token: still live? `used` counts as a use (no address known). */
export async function checkAccessToken(deps: AccountsDeps, id: string, used: boolean): Promise<boolean> {
  const now = deps.clock.now();
  const row = await tokens.findById(deps.db, id);
  if (!row || !isLiveToken(row, now)) return false;
  if (used) await recordUse(deps, row, now, undefined);
  return true;
}

export interface NewTokenInput {
  name: string;
  scopes: TokenScope[];
  /** Days until it expires; null: never; undefined: TOKENS.expiresDaysDefault. */
  expiresInDays?: number | null;
}

/** Only a signed-in person manages tokens, so a leaked token cannot make itself more. */
const requireSession = (auth: Authenticated) => checkAccess(callerOf(auth), 'session');

/**
 * Makes a token; the only time its plaintext exists outside the caller. Past TOKENS.maxLive live
 * tokens the answer is 409 `too_many_tokens`: an old one must be revoked first, so a script gone
 * wrong cannot pile up credentials.
 */
export async function createToken(
  deps: AccountsDeps,
  auth: Authenticated,
  input: NewTokenInput,
  meta: RequestMeta,
): Promise<{ token: string; row: AccessTokenRow }> {
  requireSession(auth);
  const now = deps.clock.now();
  const days = input.expiresInDays === undefined ? TOKENS.expiresDaysDefault : input.expiresInDays;
  const token = newAccessToken();
  const row: AccessTokenRow = {
    id: newTokenId(),
    user_id: auth.user.id,
    name: input.name,
    token_hash: sha256(token),
    // Stored in the one order of TOKEN_SCOPES, without repeats.
    scopes: TOKEN_SCOPES.filter((s) => input.scopes.includes(s)).join(' '),
    created_at: now,
    expires_at: days === null ? null : now + days * DAY,
    last_used_at: null,
    last_used_ip: null,
    revoked_at: null,
  };
  await deps.db.transaction(async (trx) => {
    await tokens.lockUser(trx, auth.user.id);
    if ((await tokens.countLive(trx, auth.user.id, now)) >= TOKENS.maxLive) {
      throw new AppError(
        'too_many_tokens',
        `you already have ${TOKENS.maxLive} live tokens: revoke one you no longer use first`,
      );
    }
    await tokens.insertToken(trx, row);
    await audit.record(trx, 'token_created', auth.user.id, now, meta);
  });
  return { token, row };
}

/** The user's live tokens, newest first; never a token or its hash. */
export async function listTokens(deps: AccountsDeps, auth: Authenticated): Promise<AccessTokenRow[]> {
  requireSession(auth);
  return tokens.listLive(deps.db, auth.user.id, deps.clock.now());
}

const noSuchToken = () => new AppError('not_found', 'no such token among yours');

/**
 * Revokes one of the user's tokens and ends its sockets at once. Another user's token answers
 * like one that does not exist, so ids cannot be probed; revoking twice is the same 404.
 */
export async function revokeToken(
  deps: AccountsDeps,
  auth: Authenticated,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  requireSession(auth);
  if (!isAccessTokenId(id)) throw noSuchToken();
  const now = deps.clock.now();
  const row = await tokens.findById(deps.db, id);
  if (!row || row.user_id !== auth.user.id || !isLiveToken(row, now)) throw noSuchToken();
  await deps.db.transaction(async (trx) => {
    await tokens.revoke(trx, id, now);
    await audit.record(trx, 'token_revoked', auth.user.id, now, meta);
  });
  deps.sessionsEnded([id]);
}
