import { AppError } from '../errors.js';
import * as users from '../store/users.js';
import * as sessions from '../store/sessions.js';
import * as accessTokens from '../store/access-tokens.js';
import * as outbox from '../store/outbox.js';
import * as audit from '../store/audit.js';
import { listUsers as listStoredUsers } from '../store/user-directory.js';
import { readerOf } from '../store/db.js';
import type { UserRow } from '../store/users.js';
import type { SessionRow } from '../store/sessions.js';
import type { AccessTokenRow } from '../store/access-tokens.js';
import { accountDeletedByAdminMail, accountDisabledMail, passwordResetMail } from '../mail/templates.js';
import type { Role } from '../protocol.js';
import { eraseAccount } from './account.js';
import { issueCode } from './codes.js';
import { keepAnAdmin, withAdminsLocked } from './last-admin.js';
import type { Authenticated } from './sessions.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * What an admin does to other accounts (docs/api.md, "Administration"): list and look at them,
 * change a role, disable and enable, delete, force a password reset. Who may is checked at the
 * door against the route's permission (ROUTE_ACCESS); what may be done - never leave the server
 * without an admin - is checked here, for every door. Every change is in the audit log with the
 * admin as its actor.
 */

export interface UsersPage {
  users: UserRow[];
  nextBefore: number | null;
}

/** Accounts newest first; `query` a lower-case prefix of the username or email. */
export async function adminListUsers(
  deps: AccountsDeps,
  page: { query?: string; before?: number; limit: number },
): Promise<UsersPage> {
  // One more than asked tells whether an older page exists without a second query.
  const rows = await listStoredUsers(readerOf(deps.db), {
    prefix: page.query?.toLowerCase(),
    before: page.before,
    limit: page.limit + 1,
  });
  const shown = rows.slice(0, page.limit);
  return { users: shown, nextBefore: rows.length > page.limit ? shown.at(-1)!.id : null };
}

const notFound = () => new AppError('not_found', 'no account has this id');

async function existing(deps: AccountsDeps, db: typeof deps.db, id: number): Promise<UserRow> {
  const user = await users.findById(db, id);
  if (!user) throw notFound();
  return user;
}

export interface UserDetails {
  user: UserRow;
  /** Sessions that could still be used (not revoked, not expired), newest first. */
  sessions: SessionRow[];
  /** Live personal access tokens. */
  tokens: AccessTokenRow[];
}

export async function adminUserDetails(deps: AccountsDeps, id: number): Promise<UserDetails> {
  const reader = readerOf(deps.db);
  const now = deps.clock.now();
  const user = await existing(deps, reader, id);
  const all = await sessions.listAllOfUser(reader, id);
  return {
    user,
    sessions: all.filter((s) => s.revoked_at === null && s.expires_at > now).reverse(),
    tokens: await accessTokens.listLive(reader, id, now),
  };
}

export interface UserChange {
  role?: Role;
  disabled?: boolean;
}

/**
 * Changes an account's role and/or disables or enables it. Disabling ends every session and token
 * of the account and mails its owner; any change of role or state disconnects the account's
 * sockets so they sign in again as what they are now.
 */
export async function adminUpdateUser(
  deps: AccountsDeps,
  admin: Authenticated,
  id: number,
  change: UserChange,
  meta: RequestMeta,
): Promise<UserRow> {
  const now = deps.clock.now();
  const actor = admin.user.id;
  const result = await withAdminsLocked(deps.db, async (trx) => {
    const user = await existing(deps, trx, id);
    let changed = false;
    let mailed = false;
    if (change.role !== undefined && change.role !== user.role) {
      if (change.role !== 'admin') await keepAnAdmin(trx, user, `make ${user.username} a ${change.role}`);
      await users.updateState(trx, id, { role: change.role });
      await audit.record(trx, 'role_changed', id, now, meta, {
        actorId: actor,
        detail: `${user.role} -> ${change.role}`,
      });
      changed = true;
    }
    if (change.disabled === true && user.disabled_at === null) {
      await keepAnAdmin(trx, { ...user }, `disable ${user.username}`);
      await users.updateState(trx, id, { disabled_at: now });
      await sessions.revokeAllOfUser(trx, id, now);
      await accessTokens.revokeAllOfUser(trx, id, now);
      await outbox.enqueue(trx, accountDisabledMail(deps.mail, user), now);
      await audit.record(trx, 'account_disabled', id, now, meta, { actorId: actor });
      changed = mailed = true;
    } else if (change.disabled === false && user.disabled_at !== null) {
      await users.updateState(trx, id, { disabled_at: null });
      await audit.record(trx, 'account_enabled', id, now, meta, { actorId: actor });
      changed = true;
    }
    return { user: (await users.findById(trx, id))!, changed, mailed };
  });
  if (result.mailed) deps.mailQueued();
  if (result.changed) deps.userSessionsEnded(id);
  return result.user;
}

/** Deletes an account as its owner would, and mails the owner; never the last admin. */
export async function adminDeleteUser(
  deps: AccountsDeps,
  admin: Authenticated,
  id: number,
  meta: RequestMeta,
): Promise<void> {
  const now = deps.clock.now();
  await withAdminsLocked(deps.db, async (trx) => {
    const user = await existing(deps, trx, id);
    await keepAnAdmin(trx, user, `delete ${user.username}`);
    // Queued before the row goes: the outbox keeps only the address and the text.
    await outbox.enqueue(trx, accountDeletedByAdminMail(deps.mail, user), now);
    await eraseAccount(trx, id, now);
    // Anonymous like the rest of the deleted account's record; the detail keeps which id it was.
    await audit.record(trx, 'account_deleted_by_admin', null, now, meta, {
      actorId: admin.user.id,
      detail: `account #${id}`,
    });
  });
  deps.mailQueued();
  deps.userSessionsEnded(id);
}

/**
 * Ends every session and token of the account and mails its owner a reset code: the owner sets a
 * new password through the normal reset (POST /api/password/reset). For an account that may be in
 * the wrong hands; the admin never learns a password or a code.
 */
export async function adminForcePasswordReset(
  deps: AccountsDeps,
  admin: Authenticated,
  id: number,
  meta: RequestMeta,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (trx) => {
    const user = await existing(deps, trx, id);
    await sessions.revokeAllOfUser(trx, id, now);
    await accessTokens.revokeAllOfUser(trx, id, now);
    const code = await issueCode(deps, trx, id, 'reset', now, deps.config.codeTtlMinutes);
    await outbox.enqueue(trx, passwordResetMail(deps.mail, user, code), now);
    await audit.record(trx, 'password_reset_forced', id, now, meta, { actorId: admin.user.id });
  });
  deps.mailQueued();
  deps.userSessionsEnded(id);
}
