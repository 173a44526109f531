import type { Context, Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';
import { AppError } from '../../errors.js';
import { LIMITS } from '../../protocol.js';

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
 * JSON bodies only, at most 16 KiB: a declared oversize body is refused before it is read,
 * a body of another type gets 415, and the parser itself enforces the limit on chunked bodies.
 * The returned step puts the parsed body on `ctx.request.body` before the routes run.
 */
export function jsonBody(): (ctx: Context) => Promise<void> | undefined {
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
    if (Number(ctx.get('content-length') || 0) > LIMITS.bodyBytes) {
      throw new AppError('payload_too_large', 'request body is larger than 16 KiB');
    }
    if (!ctx.is('application/json')) {
      throw new AppError('unsupported_media_type', 'send the body as application/json');
    }
    return parser(ctx, done) as Promise<void>;
  };
}
