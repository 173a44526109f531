import { AppError } from '../errors.js';
import {
  PERMISSIONS,
  type AccessRequirement,
  type Permission,
  type Role,
  type TokenScope,
} from '../protocol.js';
import { checkRole, PERMISSION_TOKEN_SCOPE, roleAllows } from './permissions.js';
import type { Authenticated } from './sessions.js';

/*
 * The one check of what a caller may do, for both doors: every REST route and Socket.IO event
 * declares an AccessRequirement (server/http/access.ts, server/realtime/access.ts), and the door
 * asks here with the caller. A session (scopes null) may do everything that is not public and
 * that its role permits; a personal access token only what its scopes name, never what needs a
 * session, and a permission of its owner's role only through the scope the permission table
 * names for it.
 */

/** What a signed-in caller holds: null for a session (everything), or a token's scopes. */
export type Grant = readonly TokenScope[] | null;

/** Who is asking: the account's role and what the credential they used grants. */
export interface Caller {
  role: Role;
  grant: Grant;
}

/** The caller behind an authenticated REST request. */
export const callerOf = (auth: Authenticated): Caller => ({
  role: auth.user.role,
  grant: auth.token?.scopes ?? null,
});

const isPermission = (need: AccessRequirement): need is Permission =>
  (PERMISSIONS as readonly string[]).includes(need);

const sessionOnly = () =>
  new AppError(
    'insufficient_scope',
    'a personal access token cannot do this (passwords, two-factor, tokens, sessions, export, deletion, administration): sign in with your password',
    { scope: 'session' },
  );

/**
 * Throws 403 `forbidden` when the role lacks a permission, 403 `insufficient_scope` naming what a
 * token is missing; returns when the caller may go on.
 */
export function checkAccess(caller: Caller, need: AccessRequirement): void {
  if (need === 'public') return;
  const { grant } = caller;
  if (isPermission(need)) {
    checkRole(caller.role, need);
    if (grant === null) return;
    const scope = PERMISSION_TOKEN_SCOPE[need];
    if (scope === null) throw sessionOnly();
    if (!grant.includes(scope)) {
      throw new AppError('insufficient_scope', `this token lacks the ${scope} scope`, { scope });
    }
    return;
  }
  if (grant === null) return;
  if (need === 'session') throw sessionOnly();
  if (!grant.includes(need)) {
    throw new AppError('insufficient_scope', `this token lacks the ${need} scope`, { scope: need });
  }
}

/** Whether the caller holds `need` (for what is skipped rather than refused, such as receiving). */
export function hasAccess(caller: Caller, need: AccessRequirement): boolean {
  if (need === 'public') return true;
  const { grant } = caller;
  if (isPermission(need)) {
    if (!roleAllows(caller.role, need)) return false;
    if (grant === null) return true;
    const scope = PERMISSION_TOKEN_SCOPE[need];
    return scope !== null && grant.includes(scope);
  }
  return grant === null || (need !== 'session' && grant.includes(need));
}
