import type { Knex } from 'knex';
import * as sessions from '../store/sessions.js';
import * as audit from '../store/audit.js';
import type { AccountsDeps, RequestMeta } from './index.js';

const DAY = 86_400_000;

/**
 * Keeps a user's live sessions within SESSIONS_PER_USER_MAX after a login, inside the login's
 * transaction: the oldest beyond it end and the owner finds `session_ended_by_limit` in the
 * activity log. Returns the ids it ended, whose sockets the caller closes once committed.
 * Without a cap, anyone holding the password (or a script looping on login) grows the sessions
 * table and the owner's sessions list without end.
 */
export async function capSessions(
  deps: AccountsDeps,
  trx: Knex,
  userId: number,
  meta: RequestMeta,
): Promise<string[]> {
  const now = deps.clock.now();
  const idleSince = now - deps.config.sessionIdleDays * DAY;
  const beyond = await sessions.liveBeyond(trx, userId, now, idleSince, deps.config.sessionsPerUserMax);
  for (const id of beyond) {
    await sessions.revoke(trx, id, now);
    await audit.record(trx, 'session_ended_by_limit', userId, now, meta);
  }
  return beyond;
}
