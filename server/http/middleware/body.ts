import type { Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';
import { AppError } from '../../errors.js';
import { LIMITS } from '../../protocol.js';

const hasBody = (headers: Record<string, string | string[] | undefined>): boolean =>
  headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;

/**
 * JSON bodies only, at most 16 KiB: a declared oversize body is refused before it is read,
 * a body of another type gets 415, and the parser itself enforces the limit on chunked bodies.
 */
export function jsonBody(): Middleware[] {
  const guard: Middleware = async (ctx, next) => {
    if (hasBody(ctx.req.headers)) {
      if (Number(ctx.get('content-length') || 0) > LIMITS.bodyBytes) {
        throw new AppError('payload_too_large', 413, 'request body is larger than 16 KiB');
      }
      if (!ctx.is('application/json')) {
        throw new AppError('unsupported_media_type', 415, 'send the body as application/json');
      }
    }
    await next();
  };
  const parser = bodyParser({
    enableTypes: ['json'],
    jsonLimit: `${LIMITS.bodyBytes}b`,
    strict: true,
    onerror: (err) => {
      throw err;
    },
  }) as unknown as Middleware;
  return [guard, parser];
}
