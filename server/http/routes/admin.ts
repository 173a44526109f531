import Router from '@koa/router';
import { z } from 'zod';
import type { Accounts } from '../../accounts/index.js';
import {
  ADMIN,
  ROLES,
  type AdminAuditBody,
  type AdminStatsBody,
  type AdminUser,
  type AdminUserBody,
  type AdminUsersBody,
  type MessageBody,
} from '../../protocol.js';
import type { UserRow } from '../../store/users.js';
import { AppError } from '../../errors.js';
import { parseBody, parseQuery, requestMeta, requireAuth, type AuthState } from '../request.js';
import { tokenInfo } from './tokens.js';

/*
 * Administration over REST (docs/api.md, "Administration"). Each route declares its permission
 * in ROUTE_ACCESS (session only: never a personal access token); the rules are in
 * accounts/administration.ts and accounts/admin-reports.ts.
 */

const wholeNumber = (name: string, min: number, max: number) =>
  z
    .string({ error: `${name} must be a whole number, given once` })
    .regex(/^\d{1,15}$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be from ${min} to ${max}`);

const idOf = (raw: string | undefined): number => {
  if (
    raw === undefined ||
    !/^\d{1,15}$/.test(raw) ||
    Number(raw) < 1 ||
    Number(raw) > Number.MAX_SAFE_INTEGER
  ) {
    throw new AppError('not_found', 'no account has this id: ids are whole numbers');
  }
  return Number(raw);
};

const usersQuery = z.object({
  query: z
    .string({ error: 'query must be given once' })
    .max(ADMIN.queryMax, `query must be at most ${ADMIN.queryMax} characters`)
    .refine((q) => !/\p{Cc}/u.test(q), 'query must not hold control characters')
    .refine((q) => !/\p{Cs}/u.test(q), 'query must be well-formed text')
    .optional(),
  before: wholeNumber('before', 1, Number.MAX_SAFE_INTEGER).optional(),
  limit: wholeNumber('limit', 1, ADMIN.usersPageMax).default(ADMIN.usersPageDefault),
});

const patchBody = z
  .object({
    role: z
      .string({ error: `role must be one of ${ROLES.join(', ')}` })
      .refine((r) => (ROLES as readonly string[]).includes(r), `role must be one of ${ROLES.join(', ')}`)
      .transform((r) => r as (typeof ROLES)[number])
      .optional(),
    disabled: z.boolean({ error: 'disabled must be true or false' }).optional(),
  })
  // A misspelt field must not look like a change that was made.
  .strict()
  .refine((b) => b.role !== undefined || b.disabled !== undefined, 'send role, disabled, or both');

const iso = (ms: number): string => new Date(ms).toISOString();

export const adminUser = (u: UserRow): AdminUser => ({
  id: u.id,
  username: u.username,
  email: u.email,
  role: u.role,
  verified: u.email_verified_at !== null,
  disabled: u.disabled_at !== null,
  deactivated: u.deactivated_at !== null,
  two_factor: u.two_factor_enabled_at !== null,
  created_at: iso(u.created_at),
  last_login_at: u.last_login_at === null ? null : iso(u.last_login_at),
});

const auditQuery = z.object({
  user_id: wholeNumber('user_id', 1, Number.MAX_SAFE_INTEGER).optional(),
  actor_id: wholeNumber('actor_id', 1, Number.MAX_SAFE_INTEGER).optional(),
  type: z
    .string({ error: 'type must be given once' })
    .regex(/^[a-z0-9_]{1,64}$/, 'type must be an event type such as login_failed or role_changed')
    .optional(),
  before: wholeNumber('before', 1, Number.MAX_SAFE_INTEGER).optional(),
  limit: wholeNumber('limit', 1, ADMIN.auditPageMax).default(ADMIN.auditPageDefault),
});

const statsQuery = z.object({
  days: wholeNumber('days', 1, ADMIN.statsDaysMax).default(ADMIN.statsDaysDefault),
});

/** What the admin routes need beyond the accounts' rules. */
export interface AdminRouteDeps {
  accounts: Accounts;
  /** Socket.IO connections open on this process, for the statistics' totals. */
  connectedSockets?: () => number;
}

export function adminRoutes({ accounts, connectedSockets }: AdminRouteDeps): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/admin' });
  const auth = requireAuth(accounts);

  router.get('/users', auth, async (ctx) => {
    const q = parseQuery(usersQuery, ctx.query);
    const page = await accounts.adminListUsers({ query: q.query?.trim(), before: q.before, limit: q.limit });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { users: page.users.map(adminUser), next_before: page.nextBefore } satisfies AdminUsersBody;
  });

  router.get('/users/:id', auth, async (ctx) => {
    const details = await accounts.adminUserDetails(idOf(ctx.params.id));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      user: adminUser(details.user),
      sessions: details.sessions.map((s) => ({
        id: s.id,
        created_at: iso(s.created_at),
        last_seen_at: iso(s.last_seen_at),
        expires_at: iso(s.expires_at),
        ip: s.ip,
        user_agent: s.user_agent,
      })),
      tokens: details.tokens.map(tokenInfo),
    } satisfies AdminUserBody;
  });

  router.patch('/users/:id', auth, async (ctx) => {
    const id = idOf(ctx.params.id);
    const change = parseBody(patchBody, ctx.request.body);
    const user = await accounts.adminUpdateUser(ctx.state.auth, id, change, requestMeta(ctx));
    ctx.body = { user: adminUser(user) };
  });

  router.delete('/users/:id', auth, async (ctx) => {
    await accounts.adminDeleteUser(ctx.state.auth, idOf(ctx.params.id), requestMeta(ctx));
    ctx.status = 204;
  });

  router.post('/users/:id/password-reset', auth, async (ctx) => {
    await accounts.adminForcePasswordReset(ctx.state.auth, idOf(ctx.params.id), requestMeta(ctx));
    ctx.body = {
      message: 'Every session and token of the account was signed out; its owner was mailed a reset code.',
    } satisfies MessageBody;
  });

  router.get('/audit', auth, async (ctx) => {
    const q = parseQuery(auditQuery, ctx.query);
    const page = await accounts.adminListAudit({
      userId: q.user_id,
      actorId: q.actor_id,
      type: q.type,
      before: q.before,
      limit: q.limit,
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      events: page.events.map((e) => ({
        id: e.id,
        type: e.type,
        at: iso(e.at),
        user_id: e.user_id,
        username: e.username,
        actor_id: e.actor_id ?? null,
        actor: e.actor,
        ip: e.ip,
        user_agent: e.user_agent,
        detail: e.detail ?? null,
      })),
      next_before: page.nextBefore,
    } satisfies AdminAuditBody;
  });

  router.get('/stats', auth, async (ctx) => {
    const { days } = parseQuery(statsQuery, ctx.query);
    const stats = await accounts.adminStats(days);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      days: stats.days.map(({ day, ...counts }) => ({ date: day, ...counts })),
      totals: { ...stats.totals, connected_sockets: connectedSockets?.() ?? 0 },
    } satisfies AdminStatsBody;
  });

  return router;
}
