import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './log.js';

export type { Redis };

export interface RedisClientOptions extends RedisOptions {
  /** What the connection is for, in log lines and in Redis's CLIENT LIST (e.g. 'socket.io-pub'). */
  purpose: string;
}

/** Reconnection delay: quick after a blip, at most 2 s apart while Redis stays away. */
export const redisRetryDelay = (attempt: number): number => Math.min(100 * 2 ** (attempt - 1), 2000);

/**
 * One ioredis connection to REDIS_URL, made the same way by everything in mux1 that uses Redis
 * (the Socket.IO adapter, shared limits):
 *
 * - It never stops the server. It connects in the background and, when Redis goes away or was
 *   never there, keeps reconnecting (redisRetryDelay) until it is back; the caller decides how
 *   commands behave meanwhile through the usual ioredis options (`enableOfflineQueue`,
 *   `maxRetriesPerRequest`), and reads `client.status === 'ready'` to know where it stands.
 * - It logs one warning when Redis becomes unreachable and one line when it is back, instead
 *   of an ioredis error per reconnection attempt (and without the URL, which may hold a password).
 * - Keys are not prefixed here: callers put REDIS_KEY_PREFIX in front of their keys and channels
 *   themselves (ioredis' `keyPrefix` does not apply to pub/sub channels, so it would cover only half).
 */
export function createRedis(url: string, log: Logger, options: RedisClientOptions): Redis {
  const { purpose, ...rest } = options;
  const client = new Redis(url, {
    connectionName: `mux1:${purpose}`,
    retryStrategy: redisRetryDelay,
    connectTimeout: 5000,
    ...rest,
  });
  let down = false;
  const wentDown = (reason: string) => {
    if (down) return;
    down = true;
    log.warn(
      { redis: purpose, reason },
      `Redis connection lost (${purpose}); reconnecting in the background`,
    );
  };
  client.on('error', (err: Error) => wentDown(err.message));
  // Emitted only when ioredis will reconnect, so a quit() or disconnect() by the owner is silent.
  client.on('reconnecting', () => wentDown('connection lost'));
  client.on('ready', () => {
    if (down) log.info({ redis: purpose }, `Redis connection restored (${purpose})`);
    down = false;
  });
  return client;
}

/**
 * Closes a client: QUIT when connected (replies in flight arrive first), else at once; never
 * waits on a Redis that is not there.
 */
export async function closeRedis(client: Redis, timeoutMs = 1000): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.quit().catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
  client.disconnect();
}
