import { AppError } from '../errors.js';
import type { Permission, Role, TokenScope } from '../protocol.js';

/*
 * Who may do what beyond their own account and chat: one table from role to permissions, read by
 * checkAccess (access.ts) for every REST route and Socket.IO event that declares a permission
 * (server/http/access.ts, server/realtime/access.ts). docs/api.md prints this table and
 * test/server/accounts/permissions.test.ts holds the two equal, so the documentation cannot
 * drift from what the server enforces.
 */

export const ROLE_PERMISSIONS = {
  user: [],
  moderator: ['chat:moderate'],
  admin: ['chat:moderate', 'users:read', 'users:manage', 'audit:read', 'stats:read'],
} as const satisfies Record<Role, readonly Permission[]>;

/**
 * The token scope that lets a personal access token use a permission its owner's role holds, or
 * null: only a signed-in person may. Administration is session-only, like password changes: a
 * script's token that leaks must not be able to disable or delete accounts. Moderation rides on
 * chat:write, so a moderator's bot can clear spam.
 */
export const PERMISSION_TOKEN_SCOPE = {
  'chat:moderate': 'chat:write',
  'users:read': null,
  'users:manage': null,
  'audit:read': null,
  'stats:read': null,
} as const satisfies Record<Permission, TokenScope | null>;

const table: Record<Role, readonly Permission[]> = ROLE_PERMISSIONS;

/** Whether `role` holds `permission` (what is shown or skipped rather than refused). */
export const roleAllows = (role: Role, permission: Permission): boolean => table[role].includes(permission);

/** Throws 403 `forbidden` when the role lacks the permission. */
export function checkRole(role: Role, permission: Permission): void {
  if (roleAllows(role, permission)) return;
  const holders = (Object.keys(table) as Role[]).filter((r) => roleAllows(r, permission));
  throw new AppError('forbidden', `only ${holders.join(' or ')} accounts may do this`, { permission });
}
