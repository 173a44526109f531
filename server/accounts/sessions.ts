import { hash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import * as sessions from '../store/sessions.js';
import * as users from '../store/users.js';
import * as audit from '../store/audit.js';
import { readerOf } from '../store/db.js';
import type { UserRow } from '../store/users.js';
import type { SessionPosition, SessionRow } from '../store/sessions.js';
import type { AccountsDeps, RequestMeta } from './index.js';
import { capSessions } from './session-cap.js';
import { credentialCacheFor } from './credential-cache.js';
import { authenticateAccessToken, checkAccessToken, isAccessTokenId, type TokenGrant } from './tokens.js';
import { looksLikeAccessToken } from './token-format.js';

/** An account an admin disabled or its owner deactivated has no live credential. */
export const mayUseCredentials = (user: UserRow): boolean =>
  user.disabled_at === null && user.deactivated_at === null;

/*
 * Sessions: made at login, found by their bearer token (through a one-second cache), listed,
 * and ended - by logout, by the user from another session, or by the password rules.
 */

const DAY = 86_400_000;
/** last_seen_at is written at most this often, so reads do not each cost a write. */
export const TOUCH_INTERVAL_MS = 60_000;

/** 32 bytes from the CSPRNG: 256 bits, as the contract requires for session tokens. */
const newToken = (): string => randomBytes(32).toString('base64url');

const newId = (): string => randomBytes(16).toString('hex');

// The one-shot hash: a quarter of createHash's cost, paid on every authenticated request.
export const sha256 = (value: string): string => hash('sha256', value, 'hex');

/** The last token seen on each connection, with its hash. */
const connectionTokens = new WeakMap<object, { token: string; hash: string }>();

/**
 * sha256(token), worked out once per connection while the same token comes over it: a client on
 * a keep-alive connection sends the same bearer token with every request, and hashing it again
 * each time came to about 3 of the 20 µs of CPU per request that GET /api/me spent beyond a bare
 * Koa app (bench/me-cpu.ts --profile mux1). Only the hash is a shortcut: the credential cache is
 * still asked on every request, so a revocation takes effect as before. The hash is only reused
 * for exactly the token it was made from, and only on the connection that sent both; the token
 * stays in memory no longer than that connection does.
 */
function tokenHashOn(connection: object | undefined, token: string): string {
  if (!connection) return sha256(token);
  const last = connectionTokens.get(connection);
  if (last !== undefined && last.token === token) return last.hash;
  const hash = sha256(token);
  connectionTokens.set(connection, { token, hash });
  return hash;
}

export interface Authenticated {
  user: UserRow;
  /**
   * The session behind the token; for a personal access token, the token seen as a session (its
   * id, expiry, last use), so revocation and socket upkeep treat both alike.
   */
  session: SessionRow;
  /** Present when the caller used a personal access token: what it may do. */
  token?: TokenGrant;
}

/** The oldest last use that still keeps a session alive now (SESSION_IDLE_DAYS). */
const idleSince = (deps: AccountsDeps, now: number) => now - deps.config.sessionIdleDays * DAY;

/** Whether a token could still use the session: not revoked, before its end, not idle too long. */
const isLive = (deps: AccountsDeps, s: SessionRow, now: number): boolean =>
  s.revoked_at === null && s.expires_at > now && s.last_seen_at > idleSince(deps, now);

/** Writes a login makes together with its new session, in the same transaction. */
export interface WithSession {
  /** Before the session is inserted (the login: its run of failures ends). */
  before?: (trx: Knex) => Promise<void>;
  /** After the session and the cap (the login's audit event). */
  after?: (trx: Knex) => Promise<void>;
}

/**
 * A new session, capped (capSessions) in one writer transaction with the caller's own writes:
 * on SQLite every query outside a transaction waits its turn for the one writer again, so a
 * login under load waited in that queue once per write instead of once.
 */
export async function createSession(
  deps: AccountsDeps,
  userId: number,
  meta: RequestMeta,
  also: WithSession = {},
): Promise<{ token: string; session: SessionRow }> {
  const now = deps.clock.now();
  const token = newToken();
  const session: SessionRow = {
    id: newId(),
    user_id: userId,
    token_hash: sha256(token),
    created_at: now,
    expires_at: now + deps.config.sessionTtlDays * DAY,
    last_seen_at: now,
    user_agent: meta.userAgent?.slice(0, 512) ?? null,
    ip: meta.ip,
    revoked_at: null,
  };
  const ended = await deps.db.transaction(async (trx) => {
    await also.before?.(trx);
    await sessions.insertSession(trx, session);
    const beyond = await capSessions(deps, trx, userId, meta);
    await also.after?.(trx);
    return beyond;
  });
  if (ended.length > 0) deps.sessionsEnded(ended);
  return { token, session };
}

export const unauthorized = () =>
  new AppError('unauthorized', 'sign in first: the token is missing, expired or revoked');

/**
 * The account behind a bearer token when this process looked it up within the last second
 * (SessionCache), without waiting; else undefined. An authenticated request that need not
 * wait skips the chain of promises an await sets off through every middleware around it
 * (a fifth of GET /api/me's time, bench/me.ts). `connection` is what the token came over (the
 * request's socket), when it may come again over the same one: see tokenHashOn.
 */
export function cachedAuthentication(
  deps: AccountsDeps,
  token: string,
  connection?: object,
): Authenticated | undefined {
  // No checksum test here: a malformed token's hash is simply not in the cache, and the
  // lookup that follows a miss (authenticateToken) checks it before any query.
  if (!token || token.length > 200) return undefined;
  const now = deps.clock.now();
  const cached = credentialCacheFor(deps.db).get(tokenHashOn(connection, token), now);
  return cached && stillLive(deps, cached, now) ? cached : undefined;
}

/** A cached credential is still good: a token until its end, a session also until idle. */
export const stillLive = (deps: AccountsDeps, auth: Authenticated, now: number): boolean =>
  auth.token
    ? auth.session.revoked_at === null && auth.session.expires_at > now
    : isLive(deps, auth.session, now);

/** The account behind a bearer token, or 401. Expiry is absolute; idleness is since last use. */
export async function authenticateToken(
  deps: AccountsDeps,
  token: string,
  ip: string | null = null,
): Promise<Authenticated> {
  if (!token || token.length > 200) throw unauthorized();
  // A personal access token is told from a session token by its prefix, and a mistyped or
  // cut-short one by its checksum, before anything is asked of the database.
  if (looksLikeAccessToken(token)) return authenticateAccessToken(deps, token, ip);
  const cached = cachedAuthentication(deps, token);
  if (cached) return cached;
  const tokenHash = sha256(token);
  const auth = await credentialCacheFor(deps.db).once(tokenHash, () => lookUpSession(deps, tokenHash));
  // A joined lookup began a moment earlier: the session must still be live now.
  if (!isLive(deps, auth.session, deps.clock.now())) throw unauthorized();
  return auth;
}

/** The session a token hash names, from the database, touched when due and then cached. */
async function lookUpSession(deps: AccountsDeps, tokenHash: string): Promise<Authenticated> {
  const now = deps.clock.now();
  const cache = credentialCacheFor(deps.db);
  const stamp = cache.stamp;
  // Credential lookups read on a reader connection (the rule at readerOf); the touch writes.
  const reader = readerOf(deps.db);
  const session = await sessions.findByTokenHash(reader, tokenHash);
  if (!session || !isLive(deps, session, now)) throw unauthorized();
  const user = await users.findById(reader, session.user_id);
  // Disabling and deactivating revoke every session too; this holds if a row was changed by hand.
  if (!user || !mayUseCredentials(user)) throw unauthorized();
  if (now - session.last_seen_at >= TOUCH_INTERVAL_MS) {
    await sessions.touch(deps.db, session.id, now);
    session.last_seen_at = now;
  }
  cache.set(tokenHash, stamp, now, { user, session });
  return { user, session };
}

/**
 * Whether a session is still live, for a door that holds it open (a socket) instead of showing
 * its token on every use. `used` counts as a use now, as a request does in authenticateToken:
 * written at most once per TOUCH_INTERVAL_MS, and never for a session that has already ended,
 * so use after the idle window does not bring it back.
 */
export async function checkSession(deps: AccountsDeps, sessionId: string, used: boolean): Promise<boolean> {
  if (isAccessTokenId(sessionId)) return checkAccessToken(deps, sessionId, used);
  const now = deps.clock.now();
  const session = await sessions.findById(readerOf(deps.db), sessionId);
  if (!session || !isLive(deps, session, now)) return false;
  if (used && now - session.last_seen_at >= TOUCH_INTERVAL_MS) await sessions.touch(deps.db, session.id, now);
  return true;
}

export async function logout(deps: AccountsDeps, auth: Authenticated, meta: RequestMeta): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (trx) => {
    await sessions.revoke(trx, auth.session.id, now);
    await audit.record(trx, 'logout', auth.user.id, now, meta);
  });
  deps.sessionsEnded([auth.session.id]);
}

export interface SessionsPage {
  sessions: SessionRow[];
  /** The `before` of the next page; null when there is none. */
  nextBefore: string | null;
}

/**
 * A page cursor names the last session shown by its place in the order (last use, start, id),
 * not by an offset, so a session signing in or out between pages moves nothing else.
 */
export const SESSIONS_CURSOR = /^(\d{1,15})\.(\d{1,15})\.([0-9a-f]{32})$/;

const cursorOf = (s: SessionRow): string => `${s.last_seen_at}.${s.created_at}.${s.id}`;

function positionOf(cursor: string): SessionPosition {
  const m = SESSIONS_CURSOR.exec(cursor);
  if (!m) {
    throw new AppError('invalid_field', 'before must be a next_before taken from a sessions page', {
      field: 'before',
    });
  }
  return { last_seen_at: Number(m[1]), created_at: Number(m[2]), id: m[3]! };
}

/**
 * One page of the sessions a token could still use, most recently used first; the one that
 * asked is among them on some page.
 */
export async function listSessions(
  deps: AccountsDeps,
  auth: Authenticated,
  page: { before?: string; limit: number },
): Promise<SessionsPage> {
  const now = deps.clock.now();
  const after = page.before === undefined ? undefined : positionOf(page.before);
  // One more than asked tells whether another page exists without a second query.
  const rows = await sessions.listLive(deps.db, auth.user.id, now, idleSince(deps, now), {
    after,
    limit: page.limit + 1,
  });
  const shown = rows.slice(0, page.limit);
  return { sessions: shown, nextBefore: rows.length > page.limit ? cursorOf(shown.at(-1)!) : null };
}

const noSuchSession = () => new AppError('not_found', 'no such session among yours');

/**
 * Ends one of the user's own live sessions, the current one included. Another user's session
 * answers exactly like one that does not exist, so ids cannot be probed.
 */
export async function revokeSession(
  deps: AccountsDeps,
  auth: Authenticated,
  sessionId: string,
  meta: RequestMeta,
): Promise<void> {
  // Ids are 32 hex digits (newId): anything else names no session, and some of it (U+0000)
  // PostgreSQL would refuse with an error rather than find nothing.
  if (!/^[0-9a-f]{32}$/.test(sessionId)) throw noSuchSession();
  const now = deps.clock.now();
  const session = await sessions.findById(deps.db, sessionId);
  if (!session || session.user_id !== auth.user.id || !isLive(deps, session, now)) throw noSuchSession();
  await deps.db.transaction(async (trx) => {
    await sessions.revoke(trx, sessionId, now);
    await audit.record(trx, 'session_revoked', auth.user.id, now, meta);
  });
  deps.sessionsEnded([sessionId]);
}

/** "Log out everywhere else": every session of the user but the one that asked. */
export async function revokeOtherSessions(
  deps: AccountsDeps,
  auth: Authenticated,
  meta: RequestMeta,
): Promise<number> {
  const now = deps.clock.now();
  const rows = await deps.db.transaction(async (trx) => {
    const revoked = await sessions.revokeAllOfUser(trx, auth.user.id, now, auth.session.id);
    await audit.record(trx, 'other_sessions_revoked', auth.user.id, now, meta);
    return revoked;
  });
  return announceEnded(deps, rows, now);
}

/**
 * Announces sessions a committed transaction ended; returns how many of them were still live,
 * which is what the user is told was signed out.
 */
export function announceEnded(deps: AccountsDeps, rows: SessionRow[], now: number): number {
  deps.sessionsEnded(rows.map((r) => r.id));
  return rows.filter((r) => isLive(deps, r, now)).length;
}
