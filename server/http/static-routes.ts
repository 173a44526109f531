import type Router from '@koa/router';
import type { Layer } from '@koa/router';
import type { Middleware, Next, ParameterizedContext } from 'koa';

/** The context fields @koa/router's dispatch sets, which the routes and the edge read. */
interface RoutedContext {
  matched?: Layer[];
  router?: Router;
  routeMatched?: boolean;
  _matchedRoute?: string | RegExp;
  _matchedRouteName?: string;
  captures?: string[];
  params?: Record<string, string>;
  request: { params?: Record<string, string> };
  routerPath?: string | RegExp;
  routerName?: string;
  newRouterPath?: string;
}

type Context = ParameterizedContext & RoutedContext;
type Step = (ctx: Context, next: Next) => unknown;

interface KnownRoute {
  /** Every layer whose path matches (router.use middleware too), as `ctx.matched` lists them. */
  path: Layer[];
  /** The pattern the metrics, the log and the access table name the request by. */
  routePath: string | RegExp;
  routeName: string | undefined;
  run: (ctx: Context, next: Next) => Promise<unknown>;
}

/**
 * The router's middleware, with the routes whose paths have no parameters found without a search.
 *
 * For every request @koa/router tests every layer's regular expression in turn (some eighty
 * here, all under /api), then builds and composes a fresh middleware chain for the layers that
 * matched, each step running a regular expression again for captures: for a cheap route like
 * GET /api/health or GET /api/me this came to more than the route's own work (bench/health.ts,
 * bench/me.ts). A path without parameters always matches the same layers, so at start each such
 * (method, path) gets the router's own match and its chain composed once; a request for exactly
 * that method and path runs it, setting the context fields the router's dispatch would set. Any
 * other request (a path with parameters, a trailing slash, other letter case, an unknown path
 * or method) goes through the router itself, so which layers answer what stays its decision.
 */
export function routeDispatch(router: Router): Middleware {
  const dispatch = router.routes() as unknown as Step;
  // Options that change how the router picks layers: left entirely to the router.
  const { host, routerPath } = router.opts as { host?: unknown; routerPath?: unknown };
  if (host !== undefined || routerPath !== undefined || router.exclusive) return dispatch as Middleware;

  const known = new Map<string, Map<string, KnownRoute>>();
  for (const layer of router.stack) {
    if (typeof layer.path !== 'string' || layer.paramNames.length > 0) continue;
    for (const method of layer.methods) {
      const byMethod = known.get(layer.path) ?? new Map<string, KnownRoute>();
      known.set(layer.path, byMethod);
      if (byMethod.has(method)) continue;
      const match = router.match(layer.path, method);
      if (!match.route) continue;
      const route = match.pathAndMethod.findLast((l) => l.methods.length > 0)!;
      byMethod.set(method, {
        path: match.path,
        routePath: route.path,
        routeName: route.name,
        run: chain(match.pathAndMethod.flatMap((l) => [enterLayer(l), ...(l.stack as Step[])])),
      });
    }
  }

  const middleware = ((ctx: Context, next: Next) => {
    const hit = ctx.newRouterPath === undefined ? known.get(ctx.path)?.get(ctx.method) : undefined;
    if (hit === undefined) return dispatch(ctx, next);
    // What the router's dispatch sets before running the chain (fresh lists: routes may add).
    if (ctx.matched) ctx.matched.push(...hit.path);
    else ctx.matched = [...hit.path];
    ctx.router = router;
    ctx.routeMatched = true;
    ctx._matchedRoute = hit.routePath;
    if (hit.routeName) ctx._matchedRouteName = hit.routeName;
    return hit.run(ctx, next);
  }) as Middleware & { router?: Router };
  // As on the router's own middleware: what walks the app's routes finds them here.
  middleware.router = router;
  return middleware;
}

/**
 * The step the router puts before each matched layer's middleware: the layer's captures and
 * params (none, on a path without parameters), path and name on the context.
 */
function enterLayer(layer: Layer): Step {
  return (ctx, next) => {
    ctx.captures = [];
    ctx.request.params = { ...ctx.params };
    ctx.params = ctx.request.params;
    ctx.routerPath = layer.path;
    ctx.routerName = layer.name || undefined;
    ctx._matchedRoute = layer.path;
    if (layer.name) ctx._matchedRouteName = layer.name;
    return next();
  };
}

/**
 * koa-compose's chain for a fixed list of steps: each step's next runs the following one, once.
 * No closure is named per request (tsx, which the benches run, would name each one at a cost).
 */
function chain(steps: Step[]): (ctx: Context, next: Next) => Promise<unknown> {
  return (ctx, last) => runStep(steps, 0, ctx, last, { index: -1 });
}

function runStep(
  steps: Step[],
  i: number,
  ctx: Context,
  last: Next,
  ran: { index: number },
): Promise<unknown> {
  if (i <= ran.index) return Promise.reject(new Error('next() called multiple times'));
  ran.index = i;
  const fn = i === steps.length ? last : steps[i];
  if (!fn) return Promise.resolve();
  try {
    return Promise.resolve(fn(ctx, () => runStep(steps, i + 1, ctx, last, ran)));
  } catch (err) {
    return Promise.reject(err as Error);
  }
}
