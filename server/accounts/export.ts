import * as users from '../store/users.js';
import * as sessions from '../store/sessions.js';
import * as codes from '../store/codes.js';
import * as audit from '../store/audit.js';
import * as userMessages from '../store/user-messages.js';
import type { UserRow } from '../store/users.js';
import type { SessionRow } from '../store/sessions.js';
import type { CodeSummary } from '../store/codes.js';
import type { StoredAuditEvent } from '../store/audit.js';
import type { OwnMessage } from '../store/user-messages.js';
import { recordEvent } from './audit-event.js';
import type { AccountsDeps, RequestMeta } from './context.js';
import type { Authenticated } from './sessions.js';

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
    await recordEvent(trx, 'account_exported', userId, now, meta);
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
