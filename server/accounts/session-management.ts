import { AppError } from '../errors.js';
import * as sessions from '../store/sessions.js';
import type { SessionRow } from '../store/sessions.js';
import { recordEvent } from './audit-event.js';
import type { AccountsDeps, RequestMeta } from './context.js';
import type { Authenticated } from './sessions.js';

const DAY = 86_400_000;

/** The oldest last use that still keeps a session alive now (SESSION_IDLE_DAYS). */
const idleSince = (deps: AccountsDeps, now: number) => now - deps.config.sessionIdleDays * DAY;

/** Whether a token could still use the session: the same tests as authenticateToken. */
export const isLive = (deps: AccountsDeps, s: SessionRow, now: number): boolean =>
  s.revoked_at === null && s.expires_at > now && s.last_seen_at > idleSince(deps, now);

/** Announces the ended sessions; returns how many of them were still live (for the answer). */
export function announceEnded(deps: AccountsDeps, rows: SessionRow[], now: number): number {
  deps.sessionsEnded(rows.map((r) => r.id));
  return rows.filter((r) => isLive(deps, r, now)).length;
}

/** The sessions a token could still use, with the one that asked among them. */
export async function listSessions(deps: AccountsDeps, auth: Authenticated): Promise<SessionRow[]> {
  const now = deps.clock.now();
  return sessions.listLive(deps.db, auth.user.id, now, idleSince(deps, now));
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
    await recordEvent(trx, 'session_revoked', auth.user.id, now, meta);
  });
  deps.sessionsEnded([sessionId]);
}

/** "Log out everywhere else": every session of the user but the one that asked; returns how many were live. */
export async function revokeOtherSessions(
  deps: AccountsDeps,
  auth: Authenticated,
  meta: RequestMeta,
): Promise<number> {
  const now = deps.clock.now();
  const rows = await deps.db.transaction(async (trx) => {
    const revoked = await sessions.revokeAllOfUser(trx, auth.user.id, now, auth.session.id);
    await recordEvent(trx, 'other_sessions_revoked', auth.user.id, now, meta);
    return revoked;
  });
  return announceEnded(deps, rows, now);
}
