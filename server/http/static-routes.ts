import type Router from '@koa/router';
import type { MatchResult } from '@koa/router';

/**
 * @koa/router finds a request's route by testing every layer's regular expression in turn - some
 * eighty here, all under /api - on every request, which cost GET /api/me and /api/health more
 * than their own work (bench/me.ts, bench/health.ts). A path without parameters always matches
 * the same layers, so for each route path without parameters the router's own answer is worked
 * out once, at start, and handed back when exactly that path and method come again. Any other
 * path (with parameters, a trailing slash, other letter case, unknown) still goes through the
 * router's search, so what matches what stays the router's decision.
 */
export function rememberStaticRoutes(router: Router): void {
  const search = router.match.bind(router);
  const known = new Map<string, MatchResult>();
  for (const layer of router.stack) {
    if (typeof layer.path !== 'string' || layer.paramNames.length > 0) continue;
    for (const method of layer.methods) known.set(`${method} ${layer.path}`, search(layer.path, method));
  }
  router.match = (path, method) => {
    const hit = known.get(`${method} ${path}`);
    if (!hit) return search(path, method);
    // Fresh lists: the router keeps them on the request's context, where they may grow.
    return { path: [...hit.path], pathAndMethod: [...hit.pathAndMethod], route: hit.route };
  };
}
