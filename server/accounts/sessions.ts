import { AppError } from '../errors.js';
import * as sessions from '../store/sessions.js';
import * as users from '../store/users.js';
import * as audit from '../store/audit.js';
import type { UserRow } from '../store/users.js';
import type { SessionRow } from '../store/sessions.js';
import { newId, newToken, sha256 } from './secrets.js';
import { sessionCacheFor } from './session-cache.js';
import type { AccountsDeps, RequestMeta } from './context.js';

const DAY = 86_400_000;
/** last_seen_at is written at most this often, so reads do not each cost a write. */
export const TOUCH_INTERVAL_MS = 60_000;

export interface Authenticated {
  user: UserRow;
  session: SessionRow;
}

export async function createSession(
  deps: AccountsDeps,
  userId: number,
  meta: RequestMeta,
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
  await sessions.insertSession(deps.db, session);
  return { token, session };
}

const unauthorized = () =>
  new AppError('unauthorized', 'sign in first: the token is missing, expired or revoked');

const isLive = (deps: AccountsDeps, s: SessionRow, now: number): boolean =>
  s.revoked_at === null && s.expires_at > now && s.last_seen_at + deps.config.sessionIdleDays * DAY > now;

/**
 * The account behind a bearer token when this process looked it up within the last second
 * (session-cache.ts), without waiting; else undefined. An authenticated request that need not
 * wait skips the chain of promises an await sets off through every middleware around it
 * (a fifth of GET /api/me's time, bench/me.ts).
 */
export function cachedAuthentication(deps: AccountsDeps, token: string): Authenticated | undefined {
  if (!token || token.length > 200) return undefined;
  const now = deps.clock.now();
  const cached = sessionCacheFor(deps.db).get(sha256(token), now);
  return cached && isLive(deps, cached.session, now) ? cached : undefined;
}

/** The account behind a bearer token, or 401. Expiry is absolute; idleness is since last use. */
export async function authenticateToken(deps: AccountsDeps, token: string): Promise<Authenticated> {
  if (!token || token.length > 200) throw unauthorized();
  const cached = cachedAuthentication(deps, token);
  if (cached) return cached;
  const now = deps.clock.now();
  const tokenHash = sha256(token);
  const live = (s: SessionRow) => isLive(deps, s, now);
  const cache = sessionCacheFor(deps.db);
  const stamp = cache.stamp;
  const session = await sessions.findByTokenHash(deps.db, tokenHash);
  if (!session || !live(session)) throw unauthorized();
  const user = await users.findById(deps.db, session.user_id);
  if (!user) throw unauthorized();
  if (now - session.last_seen_at >= TOUCH_INTERVAL_MS) {
    await sessions.touch(deps.db, session.id, now);
    session.last_seen_at = now;
  }
  cache.set(tokenHash, stamp, now, user, session);
  return { user, session };
}

export async function logout(deps: AccountsDeps, auth: Authenticated, meta: RequestMeta): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (trx) => {
    await sessions.revoke(trx, auth.session.id, now);
    await audit.record(trx, {
      user_id: auth.user.id,
      type: 'logout',
      at: now,
      ip: meta.ip,
      user_agent: meta.userAgent,
    });
  });
  deps.sessionsEnded([auth.session.id]);
}
