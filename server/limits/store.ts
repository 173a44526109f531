import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../log.js';
import { closeRedis, createRedis } from '../redis.js';

export interface LimiterSpec {
  /** Part of the key, so two limits never share a counter. */
  name: string;
  points: number;
  durationS: number;
}

export interface LimiterStore {
  make(spec: LimiterSpec): RateLimiterAbstract;
  /** 'memory', or 'redis' / 'redis-down' in scale-out mode: for logs, health and tests. */
  mode(): 'memory' | 'redis' | 'redis-down';
  close(): Promise<void>;
}

/**
 * Where limit counters live. In memory by default (one process). With REDIS_URL they live in
 * Redis, so every process behind a load balancer counts against the same budget; each Redis
 * limiter carries an in-memory insurance limiter, so while Redis is unreachable the limits keep
 * holding per process instead of failing open or failing every request.
 */
export function createLimiterStore(options: {
  redisUrl?: string;
  keyPrefix: string;
  log: Logger;
}): LimiterStore {
  const { redisUrl, keyPrefix, log } = options;
  if (!redisUrl) {
    return {
      make: (spec) =>
        new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: spec.durationS }),
      mode: () => 'memory',
      close: async () => {},
    };
  }

  const client = createRedis(redisUrl, log, {
    // The shared factory logs the outage ("Redis connection lost (rate-limits)") and the return.
    purpose: 'rate-limits',
    // Fail a command at once when Redis is away (the insurance limiter answers) instead of
    // queueing it and holding the request until Redis returns.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
  });

  return {
    make(spec) {
      const options = { keyPrefix: spec.name, points: spec.points, duration: spec.durationS };
      return new RateLimiterRedis({
        ...options,
        storeClient: client,
        keyPrefix: `${keyPrefix}limit:${spec.name}`,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    },
    mode: () => (client.status === 'ready' ? 'redis' : 'redis-down'),
    close: () => closeRedis(client),
  };
}
