import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import { parse, parseAll, type FieldProblem } from '../validate.js';
import {
  callerOf,
  checkAccess,
  type Accounts,
  type Authenticated,
  type RequestMeta,
} from '../accounts/index.js';
import { requirementOf } from './access.js';
import { CHALLENGE_HEADER, type AccessRequirement } from '../protocol.js';

/*
 * What a route reads from its request: the body and the query by their schemas, the session
 * behind the bearer token, and where the request came from.
 */

/**
 * Parses a request body with its schema; a failure is a 400 naming the first field at fault, with
 * every field's problem in `errors` (parseAll). Weak passwords and taken usernames are the accounts
 * rules' to report, not the schema's; `more` may add what they would say to a refused body.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  more?: (body: Record<string, unknown>) => FieldProblem[],
): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid_field', 'request body must be a JSON object');
  }
  return parseAll(schema, body, more);
}

/** Query strings have one value per key; a repeated key is a mistake, not a list. */
export const parseQuery = <S extends z.ZodType>(
  schema: S,
  query: Record<string, string | string[] | undefined>,
): z.output<S> => parse(schema, query);

export interface AuthState {
  auth: Authenticated;
}

/**
 * Requires `Authorization: Bearer <token>` (a session token or a personal access token), checks
 * it against what the matched route declares in ROUTE_ACCESS (access.ts), and puts the caller on
 * `ctx.state.auth`. A route with no declaration is refused: a missing entry must not open a door.
 */
export function requireAuth(accounts: Accounts): Middleware<AuthState> {
  // Not async: a credential looked up within the last second goes on without awaiting anything.
  return (ctx, next) => {
    // Node's request itself, not Koa's getters that lead to it (ctx.method, ctx.get).
    const need = requirementOf(ctx.req.method!, ctx._matchedRoute as string | undefined);
    if (need === undefined) {
      throw new AppError('internal_error', `no access declaration for ${ctx.method} ${ctx.path}`);
    }
    const header = ctx.req.headers.authorization || '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('unauthorized', 'sign in first: send Authorization: Bearer <token>');
    const token = match[1]!;
    const cached = accounts.cachedAuthentication(token, ctx.req.socket);
    if (cached) return admit(ctx, next, need, cached);
    return accounts.authenticateToken(token, clientIp(ctx)).then((auth) => admit(ctx, next, need, auth));
  };
}

/** Lets the caller on when the credential holds what the route needs. */
function admit(
  ctx: Context & { state: AuthState },
  next: () => Promise<unknown>,
  need: AccessRequirement,
  auth: Authenticated,
): Promise<unknown> {
  checkAccess(callerOf(auth), need);
  ctx.state.auth = auth;
  return next();
}

const clientIp = (ctx: Context): string | null =>
  ctx.ip ? ctx.ip.replace(/^::ffff:/, '').slice(0, 64) : null;

/**
 * Client address (X-Forwarded-For only when TRUST_PROXY is on: Koa's `app.proxy`), agent, and
 * a solved challenge from the X-Altcha header.
 */
export const requestMeta = (ctx: Context): RequestMeta => ({
  ip: clientIp(ctx),
  userAgent: ctx.get('user-agent').slice(0, 512) || null,
  challenge: ctx.get(CHALLENGE_HEADER).slice(0, 2000) || null,
});
