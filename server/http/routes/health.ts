import Router from '@koa/router';
import type { Db } from '../../store/db.js';
import type { Accounts } from '../../accounts/index.js';
import type { HealthBody, ServerStatusBody } from '../../protocol.js';

export interface HealthDeps {
  db: Db;
  accounts: Accounts;
  version: string;
  startedAt: number;
  /** Across every server process when there are several, hence a promise. */
  connectedUsers: () => Promise<number>;
}

const DB_CHECK_TIMEOUT_MS = 2000;

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

export function healthRoutes(deps: HealthDeps): Router {
  const router = new Router();
  const uptime = () => Math.floor((Date.now() - deps.startedAt) / 1000);

  // One database check at a time, shared by every request that arrives while it runs: otherwise
  // each request queues its own query on the one SQLite connection, and under load health
  // answers at a fifth of a bare server's rate (bench/health.ts). Every answer still comes from
  // a check that ended after the request arrived.
  let checking: Promise<string> | undefined;
  const checkDatabase = () =>
    (checking ??= databaseState(deps.db).finally(() => {
      checking = undefined;
    }));

  router.get('/api/health', async (ctx) => {
    const database = await checkDatabase();
    const body: HealthBody = {
      status: database === 'healthy' ? 'healthy' : 'unhealthy',
      database,
      version: deps.version,
      uptime_s: uptime(),
    };
    ctx.status = body.status === 'healthy' ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
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
