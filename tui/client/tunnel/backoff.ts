export interface BackoffOptions {
  /** Wait before the first reconnection attempt. */
  initialDelayMs: number;
  /** Longest wait between attempts. */
  maxDelayMs: number;
  factor: number;
  /** Give up (the tunnel closes with an error) after this many failed attempts in a row. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/**
 * Exponential backoff with +-20% jitter, so that many tunnels cut by the same network blip do not
 * knock on the host in lockstep. `attempt` counts from 1.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** (attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
