import Koa from 'koa';
import type { Logger } from '../log.js';
import type { Accounts } from '../accounts/index.js';
import { errorMiddleware } from './middleware/errors.js';
import { jsonBody } from './middleware/body.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';
import { authRoutes } from './routes/auth.js';
import { accountRoutes } from './routes/account.js';
import { webRoutes } from './routes/web.js';
import { passwordRoutes } from './routes/password.js';
import { sessionRoutes } from './routes/sessions.js';
import { accountLifecycleRoutes } from './routes/account-lifecycle.js';
import type { RevocationHooks } from './routes/revocation-hooks.js';
import { securityHeaders } from './middleware/headers.js';
import { cors } from './middleware/cors.js';
import { metricsRoute, requestMetrics, type Metrics, type MetricsSettings } from '../metrics/index.js';
import { challengeRoutes } from './routes/challenge.js';
import type { Challenges } from '../limits/index.js';

export interface HttpDeps extends HealthDeps, RevocationHooks {
  log: Logger;
  accounts: Accounts;
  challenges: Challenges;
  trustProxy: boolean;
  /** Origins whose pages may call /api (CORS_ORIGINS). */
  corsOrigins: string[];
  metrics: Metrics;
  metricsSettings: MetricsSettings;
}

export function createHttpApp(deps: HttpDeps): Koa {
  // Behind a proxy, the client address is the last X-Forwarded-For entry: the one the proxy
  // itself added. Entries before it come from the client and could be anything.
  const app = new Koa({ proxy: deps.trustProxy, maxIpsCount: 1 });
  // Koa would print every error to stderr; errorMiddleware already logs them structured.
  app.silent = true;
  app.use(requestMetrics(deps.metrics));
  app.use(errorMiddleware(deps.log));
  app.use(securityHeaders());
  app.use(cors(deps.corsOrigins));
  app.use(metricsRoute(deps.metrics, deps.metricsSettings));
  for (const mw of jsonBody()) app.use(mw);
  for (const router of [
    healthRoutes(deps),
    authRoutes(deps.accounts),
    challengeRoutes(deps.challenges),
    accountRoutes(deps.accounts, deps.onSessionRevoked),
    passwordRoutes(deps.accounts, deps),
    sessionRoutes(deps.accounts, deps),
    accountLifecycleRoutes(deps.accounts, deps),
    webRoutes(),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
