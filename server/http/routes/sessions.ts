import Router from '@koa/router';
import type { Accounts } from '../../accounts/index.js';
import type { RevokeOthersBody, SessionsBody } from '../../protocol.js';
import { requestMeta, requireAuth, type AuthState } from '../request.js';
import { sessionInfo, signedOut } from './shapes.js';

/** The signed-in user's own sessions: list them, end one, end all the others. */
export function sessionRoutes(accounts: Accounts): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api' });
  const auth = requireAuth(accounts);

  router.get('/sessions', auth, async (ctx) => {
    const { session } = ctx.state.auth;
    const sessions = await accounts.listSessions(ctx.state.auth);
    ctx.body = { sessions: sessions.map((s) => sessionInfo(s, session.id)) } satisfies SessionsBody;
  });

  router.post('/sessions/revoke-others', auth, async (ctx) => {
    const revoked = await accounts.revokeOtherSessions(ctx.state.auth, requestMeta(ctx));
    ctx.body = { message: signedOut(revoked), revoked } satisfies RevokeOthersBody;
  });

  router.delete('/sessions/:id', auth, async (ctx) => {
    const id = ctx.params.id ?? '';
    await accounts.revokeSession(ctx.state.auth, id, requestMeta(ctx));
    ctx.status = 204;
  });

  return router;
}
