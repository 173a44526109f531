import { ERROR_CODES, type ErrorCode } from './protocol.js';

/**
 * The one type for expected failures. Its code is one of the contract's (ERROR_CODES in
 * protocol.ts), which also gives its HTTP status; the HTTP and Socket.IO doors turn it into
 * `{error, code, ...details}`. Anything else that is thrown is a bug and answers 500.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  /**
   * Whether the message may be shown to the client, as in Koa's errors: every expected failure's
   * message is written for the client, an `internal_error`'s is for the log only.
   */
  readonly expose: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields for the answer body, e.g. `{field: 'email'}`. */
    readonly details: Record<string, unknown> = {},
    /** Seconds, for 429 and 503 answers (REST sends them as Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.status = ERROR_CODES[code].status;
    this.expose = code !== 'internal_error';
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;

/** Seconds a client is told to wait: about what it takes for a lock holder to finish. */
export const UNAVAILABLE_RETRY_S = 2;

/**
 * The database failures that mean "busy right now", not "broken": SQLite locked by another
 * writer past the busy timeout, no pool connection free in time, PostgreSQL refusing for load
 * or a lock. Both doors answer them 503 with a wait, so clients retry instead of reporting a bug.
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
    'the server is busy; try again in a moment',
    { retry_after_s: UNAVAILABLE_RETRY_S },
    UNAVAILABLE_RETRY_S,
  );
}
