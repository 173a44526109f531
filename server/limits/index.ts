import type { ServerConfig } from '../../config/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { createAbuseLimits, type AbuseLimits, type LimitSettings } from './abuse.js';
import { createChallenges, type Challenges } from './challenge.js';
import { createLimiterStore } from './store.js';

export type { AbuseLimits, Attempt } from './abuse.js';
export type { Challenges } from './challenge.js';
export { rateLimited } from './abuse.js';

/** Failed logins (for an account, a name or an address) after which a challenge is asked for. */
export const CHALLENGE_AFTER_FAILURES = 3;

export interface Limits extends AbuseLimits {
  challenges: Challenges;
  /** Where the counters live now: 'memory', 'redis', or 'redis-down' (falling back in process). */
  mode(): 'memory' | 'redis' | 'redis-down';
  close(): Promise<void>;
}

/** Every abuse limit and the proof-of-work challenge, over one counter store (memory or Redis). */
export function createLimits(options: {
  config: LimitSettings &
    Pick<ServerConfig, 'redisUrl' | 'redisKeyPrefix' | 'challengeSecret' | 'challengeMaxNumber'>;
  clock: Clock;
  log: Logger;
  /** Where used challenge solutions are kept when there is no Redis. */
  db?: Db;
}): Limits {
  const { config } = options;
  const store = createLimiterStore({
    redisUrl: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    log: options.log,
  });
  return {
    ...createAbuseLimits(store, config),
    challenges: createChallenges({
      secret: config.challengeSecret,
      maxNumber: config.challengeMaxNumber,
      clock: options.clock,
      store,
      db: options.db,
    }),
    mode: store.mode,
    close: store.close,
  };
}
