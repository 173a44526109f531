import type Router from '@koa/router';

/** Any router: only its layers' paths and methods are read. */
type AnyRouter = Pick<Router, 'stack'>;
import type { AccessRequirement } from '../protocol.js';

/**
 * What every REST route under /api needs, in one table: `public` (anyone), `session` (a signed-in
 * person, never a personal access token), a token scope (a session, or a token holding it), or a
 * role's permission (server/accounts/permissions.ts).
 * requireAuth (request.ts) reads the matched route's entry and checks it through the accounts'
 * checkAccess, the same check the Socket.IO events use; createHttpApp refuses to start when a
 * route under /api is missing here, so a new route cannot forget to say what it needs, and the
 * scope tests walk this table. Paths outside /api (the page, /metrics with its own token) are
 * public and need no entry.
 */
export const ROUTE_ACCESS = {
  'GET /api/health': 'public',
  'GET /api/server-status': 'public',
  'GET /api/challenge': 'public',
  'POST /api/signup': 'public',
  'POST /api/verify-email': 'public',
  'POST /api/resend-verification': 'public',
  'POST /api/login': 'public',
  'POST /api/login/2fa': 'public',
  'POST /api/login/ssh/challenge': 'public',
  'POST /api/login/ssh': 'public',
  'POST /api/login/passkey/options': 'public',
  'POST /api/login/passkey': 'public',
  'POST /api/password/forgot': 'public',
  'POST /api/password/reset': 'public',
  'GET /api/oidc/providers': 'public',
  'POST /api/oidc/:provider/start': 'public',
  'GET /api/oidc/:provider/callback': 'public',
  'POST /api/oidc/complete': 'public',
  'POST /api/oidc/signup': 'public',
  'POST /api/device/code': 'public',
  'POST /api/device/token': 'public',

  'GET /api/me': 'profile:read',

  // A setting of the account: the owner signed in, never a script's token.
  'PATCH /api/me': 'session',
  'POST /api/logout': 'session',
  'GET /api/sessions': 'session',
  'POST /api/sessions/revoke-others': 'session',
  'DELETE /api/sessions/:id': 'session',
  'GET /api/account/activity': 'session',
  'GET /api/account/export': 'session',
  'DELETE /api/account': 'session',
  'POST /api/account/deactivate': 'session',
  'POST /api/password/change': 'session',
  'GET /api/2fa': 'session',
  'POST /api/2fa/setup': 'session',
  'POST /api/2fa/enable': 'session',
  'POST /api/2fa/disable': 'session',
  'POST /api/2fa/backup-codes': 'session',
  'POST /api/tokens': 'session',
  'GET /api/tokens': 'session',
  'DELETE /api/tokens/:id': 'session',
  'POST /api/identities/:provider/link': 'session',
  'GET /api/identities': 'session',
  'DELETE /api/identities/:id': 'session',
  'POST /api/device/lookup': 'session',
  'POST /api/device/approve': 'session',

  // Administration: the role's permission, and a session (the permission table lets no token).
  'GET /api/admin/users': 'users:read',
  'GET /api/admin/users/:id': 'users:read',
  'PATCH /api/admin/users/:id': 'users:manage',
  'DELETE /api/admin/users/:id': 'users:manage',
  'POST /api/admin/users/:id/password-reset': 'users:manage',
  'GET /api/admin/audit': 'audit:read',
  'GET /api/admin/stats': 'stats:read',
  'POST /api/ssh-keys': 'session',
  'GET /api/ssh-keys': 'session',
  'DELETE /api/ssh-keys/:id': 'session',
  'POST /api/ssh-keys/policy': 'session',
  'POST /api/passkeys/register/options': 'session',
  'POST /api/passkeys/register': 'session',
  'GET /api/passkeys': 'session',
  'PATCH /api/passkeys/:id': 'session',
  'DELETE /api/passkeys/:id': 'session',
} as const satisfies Record<string, AccessRequirement>;

export type DeclaredRoute = keyof typeof ROUTE_ACCESS;

const table: Record<string, AccessRequirement> = ROUTE_ACCESS;

// The table by route pattern, then method: every request to a guarded route looks its need up,
// and these are the very strings the router and Node hand over, where "METHOD /path" was a new
// string to build and hash each time.
const byRoute = new Map<string, Map<string, AccessRequirement>>();
for (const [route, need] of Object.entries(table)) {
  const space = route.indexOf(' ');
  const path = route.slice(space + 1);
  const methods = byRoute.get(path) ?? new Map<string, AccessRequirement>();
  byRoute.set(path, methods.set(route.slice(0, space), need));
}

/** The declared need of a matched route (HEAD is GET's), or undefined if it has none. */
export function requirementOf(method: string, routePath: string | undefined): AccessRequirement | undefined {
  if (routePath === undefined) return undefined;
  return byRoute.get(routePath)?.get(method === 'HEAD' ? 'GET' : method);
}

/** Every route of the router under /api as "METHOD /path" (HEAD left out: it is GET's). */
export function routesOf(router: AnyRouter): string[] {
  const found: string[] = [];
  for (const layer of router.stack) {
    if (!String(layer.path).startsWith('/api')) continue;
    for (const method of layer.methods) if (method !== 'HEAD') found.push(`${method} ${layer.path}`);
  }
  return found;
}

/** Throws at start, naming the route, when a route under /api has no declared need. */
export function assertEveryRouteDeclared(router: AnyRouter): void {
  const missing = routesOf(router).filter((route) => !(route in table));
  if (missing.length > 0) {
    throw new Error(`routes without an access declaration in server/http/access.ts: ${missing.join(', ')}`);
  }
}
