import * as audit from '../store/audit.js';
import type { StoredAuditEvent } from '../store/audit.js';
import type { AccountsDeps } from './context.js';
import type { Authenticated } from './sessions.js';

export interface ActivityPage {
  events: StoredAuditEvent[];
  /** The `before` of the next, older page; null when there is none. */
  nextBefore: number | null;
}

/** One page of the user's own audit events, newest first; `before` is an event id. */
export async function listActivity(
  deps: AccountsDeps,
  auth: Authenticated,
  page: { before?: number; limit: number },
): Promise<ActivityPage> {
  // One more than asked tells whether an older page exists without a second query.
  const rows = await audit.listOfUser(deps.db, auth.user.id, { before: page.before, limit: page.limit + 1 });
  const events = rows.slice(0, page.limit);
  return { events, nextBefore: rows.length > page.limit ? events.at(-1)!.id : null };
}
