import type { Middleware } from 'koa';
import { AppError } from '../errors.js';
import type { Accounts, Authenticated } from '../accounts/index.js';

export interface AuthState {
  auth: Authenticated;
}

/** Requires `Authorization: Bearer <token>` and puts the session on `ctx.state.auth`. */
export function requireAuth(accounts: Accounts): Middleware<AuthState> {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('unauthorized', 401, 'sign in first: send Authorization: Bearer <token>');
    ctx.state.auth = await accounts.authenticateToken(match[1]!);
    await next();
  };
}
