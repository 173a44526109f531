import { AppError } from '../errors.js';
import type { AccessRequirement, TokenScope } from '../protocol.js';

/*
 * The one check of what a caller may do, for both doors: every REST route and Socket.IO event
 * declares an AccessRequirement (server/http/access.ts, server/realtime/access.ts), and the door
 * asks here with the caller's scopes. A session (scopes null) may do everything that is not
 * public; a personal access token only what its scopes name, and never what needs a session.
 */

/** What a signed-in caller holds: null for a session (everything), or a token's scopes. */
export type Grant = readonly TokenScope[] | null;

/** Throws 403 `insufficient_scope` naming what is missing; returns when the caller may go on. */
export function checkAccess(grant: Grant, need: AccessRequirement): void {
  if (need === 'public' || grant === null) return;
  if (need === 'session') {
    throw new AppError(
      'insufficient_scope',
      'a personal access token cannot do this (passwords, two-factor, tokens, sessions, export, deletion): sign in with your password',
      { scope: 'session' },
    );
  }
  if (!grant.includes(need)) {
    throw new AppError('insufficient_scope', `this token lacks the ${need} scope`, { scope: need });
  }
}

/** Whether the caller holds `need` (for what is skipped rather than refused, such as receiving). */
export function hasAccess(grant: Grant, need: AccessRequirement): boolean {
  return need === 'public' || grant === null || (need !== 'session' && grant.includes(need));
}
