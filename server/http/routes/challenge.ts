import Router from '@koa/router';
import type { Challenges } from '../../limits/index.js';

/**
 * A proof-of-work challenge on request, for a client that wants to solve one before it is
 * asked (a 428 `challenge_required` answer carries one too, so this is never required).
 */
export function challengeRoutes(challenges: Challenges): Router {
  const router = new Router({ prefix: '/api' });
  router.get('/challenge', async (ctx) => {
    ctx.body = await challenges.create();
  });
  return router;
}
