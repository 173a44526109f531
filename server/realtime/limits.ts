import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';

type Limiter = RateLimiterMemory | BurstyRateLimiter;

/** Per-socket budgets. Memory limiters forget a key once its window passes, so nothing leaks. */
export interface SocketLimits {
  /** Messages: a sustained 5 a second, with bursts of up to 10. */
  message(socketId: string): Promise<void>;
  /**
   * Direct messages, per sending user across all their sockets: each reaches every socket of two
   * users, so a user with many connections cannot multiply the fan-out. The same 5 a second,
   * bursts of 10.
   */
  directMessage(userId: number): Promise<void>;
  /** Joins, leaves and history pages: each costs work, so a client cannot spin on them. */
  request(socketId: string): Promise<void>;
  /** `authenticate` may cost a password hash, so it is scarce. */
  authenticate(socketId: string): Promise<void>;
  /** True when a typing notice for this room may be relayed now; extra ones are dropped. */
  typing(socketId: string, room: string): Promise<boolean>;
}

async function take(limiter: Limiter, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const retryAfterS = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    throw new AppError('rate_limited', `slow down: too many ${what}; try again shortly`, {
      retry_after_s: retryAfterS,
    });
  }
}

export function createSocketLimits(): SocketLimits {
  // The steady 5/s window refuses the 6th message in a second; the burst limiter then lends
  // up to 5 more every 2 s, which is what lets a burst of 10 through and refuses a flood.
  const messages = new BurstyRateLimiter(
    new RateLimiterMemory({ keyPrefix: 'msg', points: 5, duration: 1 }),
    new RateLimiterMemory({ keyPrefix: 'msg-burst', points: 5, duration: 2 }),
  );
  const direct = new BurstyRateLimiter(
    new RateLimiterMemory({ keyPrefix: 'dm', points: 5, duration: 1 }),
    new RateLimiterMemory({ keyPrefix: 'dm-burst', points: 5, duration: 2 }),
  );
  const requests = new RateLimiterMemory({ keyPrefix: 'req', points: 20, duration: 1 });
  const authentications = new RateLimiterMemory({ keyPrefix: 'auth', points: 5, duration: 60 });
  const typing = new RateLimiterMemory({ keyPrefix: 'typing', points: 1, duration: 1 });

  return {
    message: (id) => take(messages, id, 'messages'),
    directMessage: (userId) => take(direct, String(userId), 'direct messages'),
    request: (id) => take(requests, id, 'requests'),
    authenticate: (id) => take(authentications, id, 'sign-in attempts'),
    async typing(id, room) {
      try {
        await typing.consume(`${id}:${room}`);
        return true;
      } catch (err) {
        if (err instanceof RateLimiterRes) return false;
        throw err;
      }
    },
  };
}
