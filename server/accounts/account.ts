import * as users from '../store/users.js';
import * as sessions from '../store/sessions.js';
import * as codes from '../store/codes.js';
import * as twoFactor from '../store/two-factor.js';
import * as audit from '../store/audit.js';
import * as userMessages from '../store/user-messages.js';
import type { UserRow } from '../store/users.js';
import type { SessionRow } from '../store/sessions.js';
import type { CodeSummary } from '../store/codes.js';
import type { StoredAuditEvent } from '../store/audit.js';
import type { OwnMessage } from '../store/user-messages.js';
import { confirmPassword } from './login.js';
import type { Authenticated } from './sessions.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/* What the user can see of their own account, take away, and end. */

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

/** Every row that belongs to the user, as stored; the door decides what of it is shown. */
export interface AccountData {
  at: number;
  user: UserRow;
  sessions: SessionRow[];
  codes: CodeSummary[];
  messages: OwnMessage[];
  activity: StoredAuditEvent[];
}

/**
 * Everything stored about the user, read in one transaction so the parts agree with each other.
 * The export itself is an event, recorded first so it appears in what it returns.
 */
export async function exportAccount(
  deps: AccountsDeps,
  auth: Authenticated,
  meta: RequestMeta,
): Promise<AccountData> {
  const now = deps.clock.now();
  const userId = auth.user.id;
  return deps.db.transaction(async (trx) => {
    await audit.record(trx, 'account_exported', userId, now, meta);
    return {
      at: now,
      user: (await users.findById(trx, userId)) ?? auth.user,
      sessions: await sessions.listAllOfUser(trx, userId),
      codes: await codes.listSummariesOfUser(trx, userId),
      messages: await userMessages.listOfUser(trx, userId),
      activity: await audit.listOfUser(trx, userId),
    };
  });
}

/**
 * Deletes the account of a user who proves the password: the account row, its sessions and its
 * codes go, its messages stay without an author, and its audit events stay as an anonymous
 * security record. Each step is explicit rather than left to foreign-key actions, so the result
 * is the same on every database. The username and email are free again afterwards.
 */
export async function deleteAccount(
  deps: AccountsDeps,
  auth: Authenticated,
  password: string,
  meta: RequestMeta,
): Promise<void> {
  const userId = auth.user.id;
  await confirmPassword(deps, auth.user, password, meta, {
    failure: 'account_deletion_failed',
    field: 'password',
  });
  const now = deps.clock.now();
  await deps.db.transaction(async (trx) => {
    await userMessages.anonymise(trx, userId);
    await sessions.deleteAllOfUser(trx, userId);
    await codes.deleteAllOfUser(trx, userId);
    await twoFactor.deleteAllOfUser(trx, userId);
    await audit.detachFromUser(trx, userId);
    await users.deleteUser(trx, userId);
    // Written after the account is gone, so it is anonymous like the rest of its record.
    await audit.record(trx, 'account_deleted', null, now, meta);
  });
  deps.userSessionsEnded(userId);
}
