import type { Middleware } from 'koa';
import type { Logger } from '../../log.js';
import { routeLabel, type Metrics } from '../../metrics/index.js';
import { requestDone } from '../request-done.js';
import { jsonBody } from './body.js';
import { cors } from './cors.js';
import { answerError, refuseUnanswered, requestId } from './errors.js';
import { API_HEADERS, setHeaders } from './headers.js';

export interface EdgeDeps {
  log: Logger;
  metrics: Metrics;
  /** Origins whose pages may call /api (CORS_ORIGINS). */
  corsOrigins: string[];
}

/**
 * What every request goes through before and after its route, as one middleware: a request id,
 * the security and CORS headers, the JSON body, failures answered as `{error, code}`, and the
 * request counted and logged. Each part is a plain function; one layer instead of one per part
 * halves what Koa spends per request around a cheap route (bench/health.ts, bench/me.ts).
 */
export function edge(deps: EdgeDeps): Middleware {
  const applyCors = cors(deps.corsOrigins);
  const readBody = jsonBody();
  return async (ctx, next) => {
    const started = performance.now();
    const id = requestId(ctx);
    setHeaders(ctx.res, API_HEADERS);
    try {
      if (!applyCors(ctx)) {
        await readBody(ctx);
        await next();
        refuseUnanswered(ctx);
      }
    } catch (err) {
      answerError(ctx, err, deps.log, id);
    } finally {
      requestDone(deps.log, deps.metrics, {
        requestId: id,
        method: ctx.method,
        path: ctx.path,
        route: routeLabel(ctx),
        status: ctx.status,
        ms: performance.now() - started,
      });
    }
  };
}
