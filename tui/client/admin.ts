import type { KyInstance } from 'ky';
import { ADMIN } from '../../server/protocol.js';
import type {
  AdminAuditBody,
  AdminStatsBody,
  AdminUser,
  AdminUserBody,
  AdminUserPatch,
  AdminUsersBody,
  MessageBody,
} from '../../server/protocol.js';

/*
 * The admin REST routes (docs/api.md "Administration") as the CLI and the TUI call them: signed in
 * with a session whose role holds the permission; any personal access token is refused.
 */

export type {
  AdminAuditBody,
  AdminAuditEvent,
  AdminStatsBody,
  AdminUser,
  AdminUserBody,
  AdminUserPatch,
  AdminUsersBody,
  StatsDay,
} from '../../server/protocol.js';

export interface AdminUsersQuery {
  query?: string;
  limit?: number;
  before?: number;
}

export interface AdminAuditQuery {
  user_id?: number;
  type?: string;
  actor_id?: number;
  before?: number;
  limit?: number;
}

/** The limits of the contract (server/protocol.ts ADMIN), checked before sending. */
export const ADMIN_LIMITS = {
  queryMax: ADMIN.queryMax,
  pageMin: 1,
  pageMax: ADMIN.usersPageMax,
  auditPageMax: ADMIN.auditPageMax,
  statsDaysMin: 1,
  statsDaysMax: ADMIN.statsDaysMax,
} as const;

/** How many pages a username is looked for in before giving up (a prefix shared by thousands). */
const RESOLVE_PAGES = 20;

type Call = <T>(send: (http: KyInstance) => Promise<Response>) => Promise<T>;

const params = (query: object): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) out[key] = String(value);
  return out;
};

/** The admin calls on top of the REST client's one `call` (its errors, retries and headers). */
export function adminCalls(call: Call) {
  const users = (query: AdminUsersQuery = {}) =>
    call<AdminUsersBody>((h) => h.get('admin/users', { searchParams: params(query) }));
  return {
    users,
    user: (id: number) => call<AdminUserBody>((h) => h.get(`admin/users/${id}`)),
    updateUser: (id: number, patch: AdminUserPatch) =>
      call<{ user: AdminUser }>((h) => h.patch(`admin/users/${id}`, { json: patch })),
    deleteUser: (id: number) => call<void>((h) => h.delete(`admin/users/${id}`)),
    forcePasswordReset: (id: number) =>
      call<MessageBody>((h) => h.post(`admin/users/${id}/password-reset`, { json: {} })),
    audit: (query: AdminAuditQuery = {}) =>
      call<AdminAuditBody>((h) => h.get('admin/audit', { searchParams: params(query) })),
    stats: (query: { days?: number } = {}) =>
      call<AdminStatsBody>((h) => h.get('admin/stats', { searchParams: params(query) })),
    /**
     * The account named exactly `username` (the search is a prefix of name or email, so it is
     * looked for among the matches, page after page), or undefined.
     */
    async findByUsername(username: string): Promise<AdminUser | undefined> {
      let before: number | undefined;
      for (let page = 0; page < RESOLVE_PAGES; page++) {
        const body = await users({ query: username, limit: ADMIN_LIMITS.pageMax, before });
        const found = body.users.find((u) => u.username === username);
        if (found) return found;
        if (body.next_before === null) return undefined;
        before = body.next_before;
      }
      return undefined;
    },
  };
}

export type AdminCalls = ReturnType<typeof adminCalls>;
