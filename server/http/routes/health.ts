import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Accounts } from '../../accounts/index.js';
import { isAppError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import type { HealthBody, ServerStatusBody } from '../../protocol.js';

export interface HealthDeps {
  db: Db;
  accounts: Accounts;
  startedAt: number;
  /** Across every server process when there are several, hence a promise. */
  connectedUsers: () => Promise<number>;
  /** SERVER_STATUS_PUBLIC: the counts for anyone, not only for signed-in callers. */
  serverStatusPublic: boolean;
}

/**
 * GET /api/health for load balancers and orchestrators (200 healthy, 503 when the database does
 * not answer) and GET /api/server-status for people. Both pass through the same edge as every
 * route: a probe gets the same headers, request id, metrics and log line as any API answer.
 */
export function healthRoutes(deps: HealthDeps): Router {
  const router = new Router();
  const uptime = () => Math.floor((Date.now() - deps.startedAt) / 1000);
  const check = healthCheck(deps.db, packageVersion(), uptime);

  const answer = (ctx: Context, body: HealthBody) => {
    ctx.status = body.status === 'healthy' ? 200 : 503;
    ctx.body = body;
  };
  // Not async when a recent check is at hand: a probe then costs no await at all.
  router.get('/api/health', (ctx) => {
    const body = check();
    if (!(body instanceof Promise)) return answer(ctx, body);
    return body.then((b) => answer(ctx, b));
  });

  // The shape stays for every caller; the counts (how many people use this server) are for
  // signed-in users only, unless SERVER_STATUS_PUBLIC says otherwise. A missing or bad token is
  // no error here: the caller is simply not signed in.
  router.get('/api/server-status', async (ctx) => {
    const counts = deps.serverStatusPublic || (await signedIn(deps.accounts, ctx.get('authorization')));
    const body: ServerStatusBody = {
      status: 'online',
      uptime_s: uptime(),
      connected_users: counts ? await deps.connectedUsers() : 0,
      total_users: counts ? await deps.accounts.countUsers() : 0,
    };
    ctx.body = body;
  });

  return router;
}

async function signedIn(accounts: Accounts, header: string): Promise<boolean> {
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) return false;
  return accounts.authenticateToken(token).then(
    () => true,
    (err: unknown) => {
      if (isAppError(err) && err.code === 'unauthorized') return false;
      throw err;
    },
  );
}

const DB_CHECK_TIMEOUT_MS = 2000;
const HEALTHY_REUSE_MS = 1000;

async function databaseState(db: Db): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.raw('select 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), DB_CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'healthy';
  } catch (err) {
    return (err as Error).message === 'timeout'
      ? 'unhealthy: no answer within 2 s'
      : 'unhealthy: unreachable';
  } finally {
    clearTimeout(timer);
  }
}

/** The body of GET /api/health: at once when a recent check is at hand, else once one ends. */
function healthCheck(db: Db, version: string, uptime: () => number): () => HealthBody | Promise<HealthBody> {
  const body = (database: string): HealthBody => ({
    status: database === 'healthy' ? 'healthy' : 'unhealthy',
    database,
    version,
    uptime_s: uptime(),
  });
  // One database check at a time, shared by every request that arrives while it runs, and a
  // healthy result trusted for a second: probes from several load balancers then cost the
  // database one query a second, not one each. A failure is never reused: the next probe checks
  // again, so recovery shows at once, and a database lost shows within a second.
  let checking: Promise<HealthBody> | undefined;
  let healthyUntil = 0;
  return () => {
    if (Date.now() < healthyUntil) return body('healthy');
    return (checking ??= databaseState(db).then((state) => {
      checking = undefined;
      if (state === 'healthy') healthyUntil = Date.now() + HEALTHY_REUSE_MS;
      return body(state);
    }));
  };
}

/** The package version, found by walking up from this file (sources and dist/ sit at different depths). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'mux1' && pkg.version) return pkg.version;
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}
