import type { Context } from 'koa';
import { AppError, isAppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ErrorBody } from '../../protocol.js';
import { asUnavailable } from '../../errors.js';
import { requestIdFrom } from '../request-id.js';

/** The request's id (see request-id.ts), kept for the logs and set on the answer. */
export function requestId(ctx: Context): string {
  const id = requestIdFrom(ctx.req.headers['x-request-id']);
  ctx.state.requestId = id;
  ctx.res.setHeader('X-Request-Id', id);
  return id;
}

/** Errors thrown by Koa, the body parser and the router that mean "the client sent something wrong". */
function fromHttpError(err: { status?: number; statusCode?: number; type?: string }): AppError | undefined {
  const status = err.status ?? err.statusCode;
  if (status === 413) return new AppError('payload_too_large', 'request body is larger than 16 KiB');
  if (status === 415) return new AppError('unsupported_media_type', 'send the body as application/json');
  if (status === 400 && (err.type === 'entity.parse.failed' || err.type === undefined)) {
    return new AppError('malformed_json', 'request body is not valid JSON');
  }
  if (status === 400) return new AppError('malformed_json', 'request body could not be read');
  return undefined;
}

/** An /api request no route answered becomes a `{error, code}` 404 or 405, like every other failure. */
export function refuseUnanswered(ctx: Context): void {
  if (!ctx.path.startsWith('/api') || ctx.body != null) return;
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
export function answerError(ctx: Context, err: unknown, log: Logger, requestId: string): void {
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
