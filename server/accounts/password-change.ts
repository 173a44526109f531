import * as users from '../store/users.js';
import * as sessions from '../store/sessions.js';
import * as outbox from '../store/outbox.js';
import { passwordChangedMail } from '../mail/templates.js';
import { checkPassword } from './fields.js';
import { confirmPassword } from './password-check.js';
import { recordEvent } from './audit-event.js';
import type { AccountsDeps, RequestMeta } from './context.js';
import type { Authenticated } from './sessions.js';
import { announceEnded } from './session-management.js';

export interface ChangeInput {
  currentPassword: string;
  password: string;
}

/**
 * A new password for a signed-in user who proves the current one. Every other session ends -
 * whoever else held the old password may be signed in - and the one that asked stays. Returns
 * how many of the sessions it ended were still live.
 */
export async function changePassword(
  deps: AccountsDeps,
  auth: Authenticated,
  input: ChangeInput,
  meta: RequestMeta,
): Promise<number> {
  const { db, clock, hasher } = deps;
  const { user, session } = auth;
  await confirmPassword(deps, user, input.currentPassword, meta, {
    failure: 'password_change_failed',
    field: 'current_password',
  });
  checkPassword(input.password, user);
  const passwordHash = await hasher.hash(input.password);
  const now = clock.now();
  const ended = await db.transaction(async (trx) => {
    await users.updatePasswordHash(trx, user.id, passwordHash);
    const rows = await sessions.revokeAllOfUser(trx, user.id, now, session.id);
    await outbox.enqueue(
      trx,
      passwordChangedMail(deps.mail, user.email, user.username, { how: 'changed', at: now, ip: meta.ip }),
      now,
    );
    await recordEvent(trx, 'password_changed', user.id, now, meta);
    return rows;
  });
  deps.mailQueued();
  return announceEnded(deps, ended, now);
}
