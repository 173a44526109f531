import type { Context } from 'koa';

const ALLOW_METHODS = 'GET, POST, DELETE';
const ALLOW_HEADERS = 'Authorization, Content-Type, X-Altcha, X-Request-Id';
const EXPOSE_HEADERS = 'Retry-After, X-Request-Id';

/**
 * CORS for /api, only for the origins in CORS_ORIGINS (`*` for any). Everything else gets no
 * CORS headers, so a page on another site cannot read an answer. No credentials are allowed:
 * the API takes a bearer token, never a cookie, so nothing is sent on a visitor's behalf.
 * Small enough to keep here rather than add a dependency.
 *
 * The returned step sets the headers and answers a preflight itself, returning true when it did.
 */
export function cors(origins: string[]): (ctx: Context) => boolean {
  const any = origins.includes('*');
  const listed = new Set(origins.map((o) => o.replace(/\/+$/, '')));
  // With no origin listed the answers never depend on Origin, so they need no Vary either.
  if (origins.length === 0) return () => false;
  return (ctx) => {
    if (!ctx.path.startsWith('/api')) return false;
    ctx.vary('Origin');
    const origin = ctx.get('origin');
    if (!origin || !(any || listed.has(origin))) return false;
    ctx.set('Access-Control-Allow-Origin', any ? '*' : origin);
    ctx.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    if (ctx.method !== 'OPTIONS' || !ctx.get('access-control-request-method')) return false;
    // A preflight: answered here, the route itself has no OPTIONS handler.
    ctx.set('Access-Control-Allow-Methods', ALLOW_METHODS);
    ctx.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
    ctx.set('Access-Control-Max-Age', '600');
    ctx.status = 204;
    return true;
  };
}
