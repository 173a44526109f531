import type { Db } from '../store/db.js';
import type { HealthBody } from '../protocol.js';

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

/** 200 when healthy, else 503, whichever door answered. */
export const healthStatus = (body: HealthBody): 200 | 503 => (body.status === 'healthy' ? 200 : 503);

/** The body of GET /api/health: at once when a recent check is at hand, else once one ends. */
export type HealthCheck = () => HealthBody | Promise<HealthBody>;

export function createHealthCheck(deps: { db: Db; version: string; startedAt: number }): HealthCheck {
  const body = (database: string): HealthBody => ({
    status: database === 'healthy' ? 'healthy' : 'unhealthy',
    database,
    version: deps.version,
    uptime_s: Math.floor((Date.now() - deps.startedAt) / 1000),
  });
  // One database check at a time, shared by every request that arrives while it runs, and a
  // healthy result trusted for a second: probes from several load balancers then cost the
  // database one query a second, not one each. A failure is never reused: the next probe checks
  // again, so recovery shows at once, and a database lost shows within a second.
  let checking: Promise<HealthBody> | undefined;
  let healthyUntil = 0;
  return () => {
    if (Date.now() < healthyUntil) return body('healthy');
    return (checking ??= databaseState(deps.db).then((state) => {
      checking = undefined;
      if (state === 'healthy') healthyUntil = Date.now() + HEALTHY_REUSE_MS;
      return body(state);
    }));
  };
}
