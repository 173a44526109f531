import Router from '@koa/router';
import type { Context } from 'koa';
import { healthStatus, type HealthCheck } from '../health-check.js';
import type { Accounts } from '../../accounts/index.js';
import type { HealthBody, ServerStatusBody } from '../../protocol.js';

export interface HealthDeps {
  health: HealthCheck;
  accounts: Accounts;
  startedAt: number;
  /** Across every server process when there are several, hence a promise. */
  connectedUsers: () => Promise<number>;
}

export function healthRoutes(deps: HealthDeps): Router {
  const router = new Router();
  const uptime = () => Math.floor((Date.now() - deps.startedAt) / 1000);

  // Probes without an Origin are answered before Koa (health-probe.ts); this route answers
  // the rest - HEAD, a page calling from a listed origin - from the same check.
  const answer = (ctx: Context, body: HealthBody) => {
    ctx.status = healthStatus(body);
    ctx.body = body;
  };
  router.get('/api/health', (ctx) => {
    const body = deps.health();
    if (!(body instanceof Promise)) return answer(ctx, body);
    return body.then((b) => answer(ctx, b));
  });

  router.get('/api/server-status', async (ctx) => {
    const body: ServerStatusBody = {
      status: 'online',
      uptime_s: uptime(),
      connected_users: await deps.connectedUsers(),
      total_users: await deps.accounts.countUsers(),
    };
    ctx.body = body;
  });

  return router;
}
