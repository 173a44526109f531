import Router from '@koa/router';
import { z } from 'zod';
import type { Accounts } from '../../accounts/index.js';
import { loginPasswordField } from '../../accounts/fields.js';
import { ACTIVITY, type ActivityBody } from '../../protocol.js';
import { parseBody, parseQuery, requestMeta, requireAuth, type AuthState } from '../request.js';
import { accountExport, activityEvent } from './shapes.js';

const wholeNumber = (name: string, max: number) =>
  z
    .string({ error: `${name} must be a whole number, given once` })
    .regex(/^\d{1,15}$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `${name} must be from 1 to ${max}`);

const activityQuery = z.object({
  before: wholeNumber('before', Number.MAX_SAFE_INTEGER).optional(),
  limit: wholeNumber('limit', ACTIVITY.pageMax).default(ACTIVITY.pageDefault),
});

/** A password is only compared here, never judged: it may predate today's rules. */
const deleteBody = z.object({ password: loginPasswordField });

/** What the user can see, take away and end of their own account. */
export function accountLifecycleRoutes(accounts: Accounts): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api' });
  const auth = requireAuth(accounts);

  router.get('/account/activity', auth, async (ctx) => {
    const page = parseQuery(activityQuery, ctx.query);
    const { events, nextBefore } = await accounts.listActivity(ctx.state.auth, page);
    ctx.body = { events: events.map(activityEvent), next_before: nextBefore } satisfies ActivityBody;
  });

  router.get('/account/export', auth, async (ctx) => {
    const data = await accounts.exportAccount(ctx.state.auth, requestMeta(ctx));
    // A browser saves it as a file; API clients just read the JSON.
    ctx.set('Content-Disposition', `attachment; filename="mux1-export-${data.user.username}.json"`);
    ctx.body = accountExport(data, ctx.state.auth.session.id);
  });

  router.delete('/account', auth, async (ctx) => {
    const { password } = parseBody(deleteBody, ctx.request.body);
    await accounts.deleteAccount(ctx.state.auth, password, requestMeta(ctx));
    ctx.status = 204;
  });

  return router;
}
