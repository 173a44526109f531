import { AppError } from '../errors.js';
import { FixedWindows } from './fixed-windows.js';

/**
 * Per-socket budgets, each answered at once: a spend past the budget throws `rate_limited`.
 * Windows are forgotten once they pass (fixed-windows.ts), so nothing leaks.
 */
export interface SocketLimits {
  /** Messages: a sustained 5 a second, with bursts of up to 10. */
  message(socketId: string): void;
  /**
   * Direct messages, per sending user across all their sockets: each reaches every socket of two
   * users, so a user with many connections cannot multiply the fan-out. The same 5 a second,
   * bursts of 10.
   */
  directMessage(userId: number): void;
  /** Joins, leaves and history pages: each costs work, so a client cannot spin on them. */
  request(socketId: string): void;
  /** `authenticate` may cost a password hash, so it is scarce. */
  authenticate(socketId: string): void;
  /** True when a typing notice for this room may be relayed now; extra ones are dropped. */
  typing(socketId: string, room: string): boolean;
}

function refuse(msBeforeNext: number, what: string): never {
  throw new AppError('rate_limited', `slow down: too many ${what}; try again shortly`, {
    retry_after_s: Math.max(1, Math.ceil(msBeforeNext / 1000)),
  });
}

/**
 * The steady 5/s window refuses the 6th message in a second; the burst budget then lends up to 5
 * more every 2 s, which is what lets a burst of 10 through and refuses a flood. A refusal says
 * the sooner of the two windows' ends, as rate-limiter-flexible's BurstyRateLimiter did.
 */
function bursty(what: string): (key: string) => void {
  const steady = new FixedWindows(5, 1000);
  const burst = new FixedWindows(5, 2000);
  return (key) => {
    const now = Date.now();
    const steadyWait = steady.spend(key, now);
    if (steadyWait === 0) return;
    const burstWait = burst.spend(key, now);
    if (burstWait > 0) refuse(Math.min(steadyWait, burstWait), what);
  };
}

export function createSocketLimits(): SocketLimits {
  const messages = bursty('messages');
  const direct = bursty('direct messages');
  const requests = new FixedWindows(20, 1000);
  const authentications = new FixedWindows(5, 60_000);
  const typing = new FixedWindows(1, 1000);
  const take = (windows: FixedWindows, key: string, what: string): void => {
    const wait = windows.spend(key);
    if (wait > 0) refuse(wait, what);
  };

  return {
    message: messages,
    directMessage: (userId) => direct(String(userId)),
    request: (id) => take(requests, id, 'requests'),
    authenticate: (id) => take(authentications, id, 'sign-in attempts'),
    typing: (id, room) => typing.spend(`${id}:${room}`) === 0,
  };
}
