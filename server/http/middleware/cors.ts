import type { Middleware } from 'koa';

const ALLOW_METHODS = 'GET, POST, DELETE';
const ALLOW_HEADERS = 'Authorization, Content-Type, X-Altcha, X-Request-Id';
const EXPOSE_HEADERS = 'Retry-After, X-Request-Id';

/**
 * CORS for /api, only for the origins in CORS_ORIGINS (`*` for any). Everything else gets no
 * CORS headers, so a page on another site cannot read an answer. No credentials are allowed:
 * the API takes a bearer token, never a cookie, so nothing is sent on a visitor's behalf.
 * Small enough to keep here rather than add a dependency.
 */
export function cors(origins: string[]): Middleware {
  const any = origins.includes('*');
  const listed = new Set(origins.map((o) => o.replace(/\/+$/, '')));
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/api')) return next();
    ctx.vary('Origin');
    const origin = ctx.get('origin');
    if (!origin || !(any || listed.has(origin))) return next();
    ctx.set('Access-Control-Allow-Origin', any ? '*' : origin);
    ctx.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      // A preflight: answered here, the route itself has no OPTIONS handler.
      ctx.set('Access-Control-Allow-Methods', ALLOW_METHODS);
      ctx.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}
