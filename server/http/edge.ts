import { randomBytes } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';
import { AppError, asUnavailable, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/registry.js';
import { LIMITS, type ErrorBody } from '../protocol.js';
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
 * request counted and logged. Each part is a plain function below; one layer instead of one per
 * part halves what Koa spends per request around a cheap route (bench/health.ts, bench/me.ts).
 */
export function edge(deps: EdgeDeps): Middleware {
  const applyCors = cors(deps.corsOrigins);
  const readBody = jsonBody();
  const { log, metrics } = deps;

  /** Counts and logs the answered request, whichever way it ended. */
  const done = (ctx: Context, started: number, id: string): void => {
    const ms = performance.now() - started;
    // The request and response themselves, not Koa's getters that lead to them.
    const method = ctx.req.method!;
    const status = ctx.res.statusCode;
    metrics.httpRequest(method, routeLabel(ctx), status, ms / 1000);
    if (log.isLevelEnabled('debug'))
      log.debug({ requestId: id, method, path: ctx.path, status, ms: Math.round(ms) }, 'request');
  };

  /**
   * After the route: a failure, or an /api request no route answered, becomes `{error, code}`;
   * the request is counted and logged however that went.
   */
  const settle = (ctx: Context, started: number, id: string, failed: boolean, failure: unknown): void => {
    try {
      if (failed) answerError(ctx, failure, log, id);
      else {
        try {
          refuseUnanswered(ctx);
        } catch (err) {
          answerError(ctx, err, log, id);
        }
      }
    } finally {
      done(ctx, started, id);
    }
  };

  // Not async: an async function's frame, its promise and a try/finally around an await cost
  // every request more than one `then` on what the routes return. A request without a body (every
  // GET) has nothing to wait for before its route: no extra turn.
  return (ctx, next) => {
    const started = performance.now();
    const id = requestId(ctx);
    setHeaders(ctx.res, API_HEADERS);
    let routed: Promise<unknown> | undefined;
    try {
      if (!applyCors(ctx)) {
        const reading = readBody(ctx);
        routed = reading ? reading.then(() => next()) : next();
      }
    } catch (err) {
      settle(ctx, started, id, true, err);
      return undefined;
    }
    // A preflight, answered by the CORS step itself.
    if (routed === undefined) {
      done(ctx, started, id);
      return undefined;
    }
    return routed.then(
      () => settle(ctx, started, id, false, undefined),
      (err: unknown) => settle(ctx, started, id, true, err),
    );
  };
}

// --- Request id ---------------------------------------------------------------------------------

const GIVEN_ID = /^[A-Za-z0-9._-]{1,64}$/;

// A random prefix per process and a counter: unique across processes and restarts like a UUID,
// for a tenth of its cost on every request.
const ID_PREFIX = randomBytes(6).toString('hex');
let lastId = 0;

/**
 * The request's id, for the logs and set on the answer: the client's X-Request-Id when it is a
 * plain token, else a new one (letters, digits and `._-` only). Nothing reads it from the
 * context: it is not put on `ctx.state`.
 */
function requestId(ctx: Context): string {
  const given = ctx.req.headers['x-request-id'];
  const id =
    typeof given === 'string' && GIVEN_ID.test(given) ? given : `${ID_PREFIX}-${(++lastId).toString(36)}`;
  ctx.res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * The label a request is counted under: the route pattern that matched (`/api/sessions/:id`),
 * never the raw path, so a scanner cannot create a label per URL.
 */
function routeLabel(ctx: Context): string {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : 'unmatched';
}

// --- CORS ---------------------------------------------------------------------------------------

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
function cors(origins: string[]): (ctx: Context) => boolean {
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

// --- JSON body ----------------------------------------------------------------------------------

const BODY_KIB = LIMITS.bodyBytes / 1024;

const tooLarge = () => new AppError('payload_too_large', `request body is larger than ${BODY_KIB} KiB`);
const notJson = () => new AppError('unsupported_media_type', 'send the body as application/json');

const hasBody = (headers: Record<string, string | string[] | undefined>): boolean =>
  headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;

type ParserError = Error & { status?: number; statusCode?: number };

/**
 * Everything the parser throws is about the body the client sent: a Content-Encoding whose
 * data does not inflate fails inside zlib with no HTTP status, and must not become a 500.
 */
function asClientError(err: ParserError): Error {
  if (/forbidden prototype property/i.test(err.message)) {
    return new AppError('malformed_json', 'request body must not contain a __proto__ key');
  }
  const status = err.status ?? err.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return err;
  return new AppError('malformed_json', 'request body could not be decoded');
}

/**
 * JSON bodies only, at most LIMITS.bodyBytes: a declared oversize body is refused before it is
 * read, a body of another type gets 415, and the parser itself enforces the limit on chunked
 * bodies. The returned step puts the parsed body on `ctx.request.body` before the routes run.
 */
function jsonBody(): (ctx: Context) => Promise<void> | undefined {
  const parser = bodyParser({
    enableTypes: ['json'],
    jsonLimit: `${LIMITS.bodyBytes}b`,
    strict: true,
    onerror: (err) => {
      throw asClientError(err as ParserError);
    },
  }) as unknown as Middleware;
  const done = () => Promise.resolve();
  return (ctx) => {
    // Most requests (every GET) have no body: they skip the parser and its awaits, and
    // handlers see the same empty object the parser would have given them.
    if (!hasBody(ctx.req.headers)) {
      ctx.request.body = {};
      return undefined;
    }
    if (Number(ctx.get('content-length') || 0) > LIMITS.bodyBytes) throw tooLarge();
    if (!ctx.is('application/json')) throw notJson();
    return parser(ctx, done) as Promise<void>;
  };
}

// --- Failures -----------------------------------------------------------------------------------

/** Errors thrown by Koa, the body parser and the router that mean "the client sent something wrong". */
function fromHttpError(err: { status?: number; statusCode?: number; type?: string }): AppError | undefined {
  const status = err.status ?? err.statusCode;
  if (status === 413) return tooLarge();
  if (status === 415) return notJson();
  if (status === 400 && (err.type === 'entity.parse.failed' || err.type === undefined)) {
    return new AppError('malformed_json', 'request body is not valid JSON');
  }
  if (status === 400) return new AppError('malformed_json', 'request body could not be read');
  return undefined;
}

/** An /api request no route answered becomes a `{error, code}` 404 or 405, like every other failure. */
function refuseUnanswered(ctx: Context): void {
  // The body first: an answered request (nearly all) then skips parsing its path.
  if (ctx.body != null || !ctx.path.startsWith('/api')) return;
  if (ctx.status === 404)
    throw new AppError('not_found', `no such endpoint: ${ctx.method} ${ctx.path}`.slice(0, 200));
  if (ctx.status === 405)
    throw new AppError('method_not_allowed', `${ctx.method} is not allowed here; see the Allow header`);
  if (ctx.status === 501) throw new AppError('method_not_allowed', `${ctx.method} is not supported`);
}

/**
 * Answers a failure as `{error, code}` and logs it. Anything else - or an AppError whose message
 * is not for the client - is a bug: logged in full and answered 500 with no detail.
 */
function answerError(ctx: Context, err: unknown, log: Logger, requestId: string): void {
  const known = isAppError(err) ? err : (fromHttpError(err as object) ?? asUnavailable(err));
  let body: ErrorBody;
  if (known?.expose) {
    ctx.status = known.status;
    body = { error: known.message, code: known.code, ...known.details };
    if (known.retryAfter !== undefined)
      ctx.set('Retry-After', String(Math.max(1, Math.ceil(known.retryAfter))));
    log[known.status >= 500 ? 'error' : 'info'](
      {
        requestId,
        method: ctx.method,
        path: ctx.path,
        status: known.status,
        code: known.code,
        // Why, for the operator: the error's code only. Knex puts the SQL with its values in
        // the message, and an insert into the outbox carries a code in the clear.
        ...(known.code === 'service_unavailable' && !isAppError(err)
          ? { cause: String((err as { code?: unknown; name?: unknown }).code ?? (err as Error).name) }
          : {}),
      },
      'request failed',
    );
  } else {
    ctx.status = 500;
    body = {
      error: 'internal error; the server logged it with request id ' + requestId,
      code: 'internal_error',
    };
    log.error({ requestId, method: ctx.method, path: ctx.path, err }, 'unexpected error');
  }
  ctx.body = body;
}
