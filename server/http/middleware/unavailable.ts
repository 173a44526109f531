import { AppError } from '../../errors.js';

/** Seconds a client is told to wait: about what it takes for a lock holder to finish. */
export const UNAVAILABLE_RETRY_S = 2;

/**
 * The database failures that mean "busy right now", not "broken": SQLite locked by another
 * writer past the busy timeout, no pool connection free in time, PostgreSQL refusing for load
 * or a lock. The answer is 503 with Retry-After, so clients retry instead of reporting a bug.
 */
export function asUnavailable(err: unknown): AppError | undefined {
  const e = err as { code?: unknown; name?: unknown } | null;
  if (typeof e !== 'object' || e === null) return undefined;
  const busy =
    e.code === 'SQLITE_BUSY' ||
    e.code === 'SQLITE_LOCKED' ||
    e.name === 'KnexTimeoutError' ||
    // PostgreSQL: lock_not_available, too_many_connections, cannot_connect_now, query_canceled.
    e.code === '55P03' ||
    e.code === '53300' ||
    e.code === '57P03' ||
    e.code === '57014';
  if (!busy) return undefined;
  return new AppError(
    'service_unavailable',
    503,
    'the server is busy; try again in a moment',
    { retry_after_s: UNAVAILABLE_RETRY_S },
    UNAVAILABLE_RETRY_S,
  );
}
