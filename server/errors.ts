/**
 * The one type for expected failures. The HTTP and Socket.IO doors turn it into the
 * contract's `{error, code}`; anything else that is thrown is a bug and answers 500.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra fields for the answer body, e.g. `{field: 'email'}`. */
    readonly details: Record<string, unknown> = {},
    /** Seconds, for 429 and 503 answers. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
