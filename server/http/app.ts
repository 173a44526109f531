import Koa from 'koa';
import type { Logger } from '../log.js';
import type { Accounts } from '../accounts/index.js';
import { errorMiddleware } from './middleware/errors.js';
import { jsonBody } from './middleware/body.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';
import { authRoutes } from './routes/auth.js';
import { accountRoutes } from './routes/account.js';
import { webRoutes } from './routes/web.js';
import { securityHeaders } from './middleware/headers.js';

export interface HttpDeps extends HealthDeps {
  log: Logger;
  accounts: Accounts;
  trustProxy: boolean;
  /** Told when a session ends, so its live sockets can be closed. */
  onSessionRevoked: (sessionId: string) => void;
}

export function createHttpApp(deps: HttpDeps): Koa {
  const app = new Koa({ proxy: deps.trustProxy });
  // Koa would print every error to stderr; errorMiddleware already logs them structured.
  app.silent = true;
  app.use(errorMiddleware(deps.log));
  app.use(securityHeaders());
  for (const mw of jsonBody()) app.use(mw);
  for (const router of [
    healthRoutes(deps),
    authRoutes(deps.accounts),
    accountRoutes(deps.accounts, deps.onSessionRevoked),
    webRoutes(),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
