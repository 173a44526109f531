import * as sessions from '../store/sessions.js';
import * as audit from '../store/audit.js';
import type { AccountsDeps, RequestMeta } from './index.js';

const DAY = 86_400_000;

/**
 * Keeps a user's live sessions within SESSIONS_PER_USER_MAX after a login: the oldest beyond it
 * end, their sockets close, and the owner finds `session_ended_by_limit` in the activity log.
 * Without a cap, anyone holding the password (or a script looping on login) grows the sessions
 * table and the owner's sessions list without end.
 */
export async function capSessions(deps: AccountsDeps, userId: number, meta: RequestMeta): Promise<void> {
  const now = deps.clock.now();
  const idleSince = now - deps.config.sessionIdleDays * DAY;
  const beyond = await sessions.liveBeyond(deps.db, userId, now, idleSince, deps.config.sessionsPerUserMax);
  if (beyond.length === 0) return;
  await deps.db.transaction(async (trx) => {
    for (const id of beyond) {
      await sessions.revoke(trx, id, now);
      await audit.record(trx, 'session_ended_by_limit', userId, now, meta);
    }
  });
  deps.sessionsEnded(beyond);
}
