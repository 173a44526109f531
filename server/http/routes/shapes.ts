import type { AccountExport, ActivityEvent, SessionInfo } from '../../protocol.js';
import type { AccountData } from '../../accounts/index.js';
import type { SessionRow } from '../../store/sessions.js';
import type { StoredAuditEvent } from '../../store/audit.js';

// How stored rows appear on the wire: times as ISO 8601, never a token hash.

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const sessionInfo = (s: SessionRow, currentId: string): SessionInfo => ({
  id: s.id,
  created_at: iso(s.created_at),
  last_seen_at: iso(s.last_seen_at),
  expires_at: iso(s.expires_at),
  user_agent: s.user_agent,
  ip: s.ip,
  current: s.id === currentId,
});

/** How many other sessions an action signed out, as a sentence. */
export const signedOut = (n: number): string =>
  n === 0
    ? 'No other session was signed in.'
    : `${n} other session${n === 1 ? ' was' : 's were'} signed out.`;

export const activityEvent = (e: StoredAuditEvent): ActivityEvent => ({
  id: e.id,
  type: e.type,
  at: iso(e.at),
  ip: e.ip,
  user_agent: e.user_agent,
});

/**
 * Only fields chosen here reach the export, so a column added to a table later cannot slip a
 * secret into it: no password hash, token hash or code hash.
 */
export function accountExport(data: AccountData, currentSessionId: string): AccountExport {
  const { user } = data;
  return {
    exported_at: iso(data.at),
    user: {
      id: user.id,
      username: user.username,
      email: user.email,
      created_at: iso(user.created_at),
      email_verified_at: isoOrNull(user.email_verified_at),
      failed_logins: user.failed_logins,
      last_failed_login_at: isoOrNull(user.last_failed_login_at),
    },
    sessions: data.sessions.map((s) => ({
      ...sessionInfo(s, currentSessionId),
      revoked_at: isoOrNull(s.revoked_at),
    })),
    codes: data.codes.map((c) => ({
      purpose: c.purpose,
      attempts: c.attempts,
      created_at: iso(c.created_at),
      expires_at: iso(c.expires_at),
      used_at: isoOrNull(c.used_at),
    })),
    messages: data.messages.map((m) => ({
      id: m.id,
      room: m.room,
      text: m.text,
      created_at: iso(m.created_at),
    })),
    activity: data.activity.map(activityEvent),
  };
}
