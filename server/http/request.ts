import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import { parse } from '../validate.js';
import type { Accounts, Authenticated, RequestMeta } from '../accounts/index.js';
import { CHALLENGE_HEADER } from '../protocol.js';

/*
 * What a route reads from its request: the body and the query by their schemas, the session
 * behind the bearer token, and where the request came from.
 */

/**
 * Parses a request body with its schema; the first problem becomes a 400 naming the field.
 * Weak passwords and taken usernames are the accounts rules' to report, not the schema's.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid_field', 'request body must be a JSON object');
  }
  return parse(schema, body);
}

/** Query strings have one value per key; a repeated key is a mistake, not a list. */
export const parseQuery = <S extends z.ZodType>(
  schema: S,
  query: Record<string, string | string[] | undefined>,
): z.output<S> => parse(schema, query);

export interface AuthState {
  auth: Authenticated;
}

/** Requires `Authorization: Bearer <token>` and puts the session on `ctx.state.auth`. */
export function requireAuth(accounts: Accounts): Middleware<AuthState> {
  // Not async: a session looked up within the last second goes on without awaiting anything.
  return (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('unauthorized', 'sign in first: send Authorization: Bearer <token>');
    const token = match[1]!;
    const cached = accounts.cachedAuthentication(token);
    if (cached) {
      ctx.state.auth = cached;
      return next();
    }
    return accounts.authenticateToken(token).then((auth) => {
      ctx.state.auth = auth;
      return next();
    });
  };
}

/**
 * Client address (X-Forwarded-For only when TRUST_PROXY is on: Koa's `app.proxy`), agent, and
 * a solved challenge from the X-Altcha header.
 */
export const requestMeta = (ctx: Context): RequestMeta => ({
  ip: ctx.ip ? ctx.ip.replace(/^::ffff:/, '').slice(0, 64) : null,
  userAgent: ctx.get('user-agent').slice(0, 512) || null,
  challenge: ctx.get(CHALLENGE_HEADER).slice(0, 2000) || null,
});
