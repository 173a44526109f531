import type { AccessRequirement, ClientToServerEvents } from '../protocol.js';

/** Which per-socket budget an event spends before its payload is read (limits.ts). */
export type EventBudget = 'message' | 'request' | 'none';

export interface EventAccess {
  need: AccessRequirement;
  budget: EventBudget;
  /** A hint with no acknowledgement: a refusal is dropped silently instead of answered. */
  quiet?: boolean;
}

/**
 * What every Socket.IO event needs, in one table, as ROUTE_ACCESS does for REST: `guard` in
 * context.ts reads it before any handler runs, through the same accounts check as REST, and the
 * scope tests walk it. `satisfies Record<keyof ClientToServerEvents, ...>` makes an event
 * without a line here a type error. Receiving chat (messages, edits, presence, mentions) needs
 * chat:read too, which signIn (identity.ts) applies by the rooms a socket joins.
 */
export const EVENT_ACCESS = {
  authenticate: { need: 'public', budget: 'none' },
  message: { need: 'chat:write', budget: 'message' },
  edit: { need: 'chat:write', budget: 'message' },
  delete: { need: 'chat:write', budget: 'message' },
  typing: { need: 'chat:write', budget: 'none', quiet: true },
  block: { need: 'chat:write', budget: 'request' },
  unblock: { need: 'chat:write', budget: 'request' },
  join: { need: 'chat:read', budget: 'request' },
  leave: { need: 'chat:read', budget: 'request' },
  history: { need: 'chat:read', budget: 'request' },
  read: { need: 'chat:read', budget: 'request' },
  rooms: { need: 'chat:read', budget: 'request' },
  search: { need: 'chat:read', budget: 'request' },
  // Private rooms: anyone who may write chat may make one; the rules check who owns it.
  create: { need: 'chat:write', budget: 'request' },
  invite: { need: 'chat:write', budget: 'request' },
  remove: { need: 'chat:write', budget: 'request' },
  // Moderators and admins; a token of theirs needs chat:write (PERMISSION_TOKEN_SCOPE).
  moderate: { need: 'chat:moderate', budget: 'request' },
} as const satisfies Record<keyof ClientToServerEvents, EventAccess>;

export type ChatEvent = keyof typeof EVENT_ACCESS;
