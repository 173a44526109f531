import Router from '@koa/router';
import type { Accounts } from '../../accounts/index.js';
import type { MeBody } from '../../protocol.js';
import { requestMeta, requireAuth, type AuthState } from '../request.js';

/** What a signed-in user does with their own session and account. */
export function accountRoutes(accounts: Accounts): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api' });
  const auth = requireAuth(accounts);

  router.post('/logout', auth, async (ctx) => {
    await accounts.logout(ctx.state.auth, requestMeta(ctx));
    ctx.status = 204;
  });

  router.get('/me', auth, async (ctx) => {
    const { user } = ctx.state.auth;
    ctx.body = {
      user: {
        id: user.id,
        username: user.username,
        email: user.email,
        created_at: new Date(user.created_at).toISOString(),
      },
    } satisfies MeBody;
  });

  return router;
}
