import type { Middleware } from 'koa';
import { AppError } from '../errors.js';
import type { Accounts, Authenticated } from '../accounts/index.js';

export interface AuthState {
  auth: Authenticated;
}

/** Requires `Authorization: Bearer <token>` and puts the session on `ctx.state.auth`. */
export function requireAuth(accounts: Accounts): Middleware<AuthState> {
  // Not async: a session looked up within the last second goes on without awaiting anything.
  return (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('unauthorized', 401, 'sign in first: send Authorization: Bearer <token>');
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
