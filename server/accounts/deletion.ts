import * as users from '../store/users.js';
import * as sessions from '../store/sessions.js';
import * as codes from '../store/codes.js';
import * as audit from '../store/audit.js';
import * as userMessages from '../store/user-messages.js';
import { confirmPassword } from './password-check.js';
import { recordEvent } from './audit-event.js';
import type { AccountsDeps, RequestMeta } from './context.js';
import type { Authenticated } from './sessions.js';

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
    await audit.detachFromUser(trx, userId);
    await users.deleteUser(trx, userId);
    // Written after the account is gone, so it is anonymous like the rest of its record.
    await recordEvent(trx, 'account_deleted', null, now, meta);
  });
  deps.userSessionsEnded(userId);
}
