import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from '../log.js';
import type { Accounts } from '../accounts/index.js';
import type { Challenges } from '../limits/index.js';
import type { Metrics } from '../metrics/registry.js';
import { metricsRoutes, type MetricsSettings } from '../metrics/endpoint.js';
import { edge } from './edge.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';
import { authRoutes } from './routes/auth.js';
import { accountRoutes } from './routes/account.js';
import { passwordRoutes } from './routes/password.js';
import { twoFactorRoutes } from './routes/two-factor.js';
import { webRoutes } from './routes/web.js';
import { tokenRoutes } from './routes/tokens.js';
import { identityRoutes } from './routes/identities.js';
import { deviceRoutes } from './routes/device.js';
import { adminRoutes } from './routes/admin.js';
import { sshKeyRoutes } from './routes/ssh-keys.js';
import { passkeyRoutes } from './routes/passkeys.js';
import { assertEveryRouteDeclared } from './access.js';
import { routeDispatch } from './static-routes.js';

export interface HttpDeps extends HealthDeps {
  log: Logger;
  accounts: Accounts;
  challenges: Challenges;
  trustProxy: boolean;
  /** Origins whose pages may call /api (CORS_ORIGINS). */
  corsOrigins: string[];
  metrics: Metrics;
  metricsSettings: MetricsSettings;
  /** Whether the provider sign-in cookie is Secure (PUBLIC_URL is https). */
  secureCookies?: () => boolean;
  /** PUBLIC_URL, else the listen address: where device login sends people (verification_uri). */
  publicUrl: () => string;
  /** Socket.IO connections open on this process (late-bound: the Socket.IO server comes after). */
  connectedSockets?: () => number;
}

/** The REST door: one edge middleware around one router that holds every route. */
export function createHttpApp(deps: HttpDeps): Koa {
  // Behind a proxy, the client address is the last X-Forwarded-For entry: the one the proxy
  // itself added. Entries before it come from the client and could be anything.
  const app = new Koa({ proxy: deps.trustProxy, maxIpsCount: 1 });
  // Koa would print every error to stderr; the edge middleware already logs them structured.
  app.silent = true;
  app.use(edge(deps));
  // Every route module's routes mounted into one router, which copies their layers: a request
  // is matched once, instead of passing through a router (and an allowed-methods check) per
  // module on its way to the one that answers.
  const routes = new Router();
  for (const router of [
    healthRoutes(deps),
    authRoutes(deps.accounts, deps.challenges),
    accountRoutes(deps.accounts),
    passwordRoutes(deps.accounts),
    twoFactorRoutes(deps.accounts),
    tokenRoutes(deps.accounts),
    identityRoutes(deps.accounts, deps.secureCookies ?? (() => false)),
    deviceRoutes(deps.accounts, deps.publicUrl),
    adminRoutes({ accounts: deps.accounts, connectedSockets: deps.connectedSockets }),
    sshKeyRoutes(deps.accounts),
    passkeyRoutes(deps.accounts),
    webRoutes(),
    metricsRoutes(deps.metrics, deps.metricsSettings),
  ]) {
    routes.use(router.routes());
  }
  assertEveryRouteDeclared(routes);
  app.use(routeDispatch(routes));
  app.use(routes.allowedMethods());
  return app;
}
