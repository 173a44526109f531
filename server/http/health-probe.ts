import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/index.js';
import type { ErrorBody, HealthBody } from '../protocol.js';
import { healthStatus, type HealthCheck } from './health-check.js';
import { requestDone } from './request-done.js';
import { interceptRequests } from './intercept.js';
import { API_HEADERS, setHeaders } from './middleware/headers.js';
import { requestIdFrom } from './request-id.js';

const PATH = '/api/health';

export interface HealthProbeDeps {
  health: HealthCheck;
  metrics: Metrics;
  log: Logger;
  /** CORS_ORIGINS: when any is listed, answers under /api vary by Origin. */
  corsOrigins: string[];
}

/** A probe: GET /api/health without a body and without an Origin (a page's call needs CORS). */
const isProbe = (req: IncomingMessage): boolean =>
  req.method === 'GET' &&
  (req.url === PATH || req.url?.startsWith(PATH + '?') === true) &&
  req.headers.origin === undefined &&
  req.headers['content-length'] === undefined &&
  req.headers['transfer-encoding'] === undefined;

/**
 * Answers health probes before Koa, as terminus and lightship do: load balancers and
 * orchestrators ask often, and the answer needs none of the middleware but what is repeated
 * here - the same headers, request id, metrics and log line as any API answer. Through Koa a
 * probe cost twice what it does here (bench/health.ts). Anything else on the path - HEAD, a
 * page calling from a listed origin, a body - goes on to the Koa route, which gives the same
 * answer from the same check.
 */
export function answerHealthProbes(http: Server, deps: HealthProbeDeps): void {
  const vary = deps.corsOrigins.length > 0;

  const send = (res: ServerResponse, id: string, started: number, status: number, json: string) => {
    res.setHeader('X-Request-Id', id);
    setHeaders(res, API_HEADERS);
    if (vary) res.setHeader('Vary', 'Origin');
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
    });
    res.end(json);
    const ms = performance.now() - started;
    requestDone(deps.log, deps.metrics, {
      requestId: id,
      method: 'GET',
      path: PATH,
      route: PATH,
      status,
      ms,
    });
  };

  const answer = (res: ServerResponse, id: string, started: number, body: HealthBody) =>
    send(res, id, started, healthStatus(body), JSON.stringify(body));

  const fail = (res: ServerResponse, id: string, started: number, err: unknown) => {
    deps.log.error({ requestId: id, method: 'GET', path: PATH, err }, 'unexpected error');
    if (res.headersSent) return void res.destroy();
    const body: ErrorBody = {
      error: 'internal error; the server logged it with request id ' + id,
      code: 'internal_error',
    };
    send(res, id, started, 500, JSON.stringify(body));
  };

  interceptRequests(http, (req, res) => {
    if (!isProbe(req)) return false;
    const started = performance.now();
    const id = requestIdFrom(req.headers['x-request-id']);
    try {
      const body = deps.health();
      if (body instanceof Promise)
        body.then(
          (b) => answer(res, id, started, b),
          (err: unknown) => fail(res, id, started, err),
        );
      else answer(res, id, started, body);
    } catch (err) {
      fail(res, id, started, err);
    }
    return true;
  });
}
