import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from '../log.js';
import { closeRedis, createRedis, type Redis } from '../redis.js';

/** How long a question to the other processes (who is in a room?) may take before this one answers alone. */
export const CLUSTER_REQUEST_TIMEOUT_MS = 2000;

export interface Cluster {
  /** For the Socket.IO server's `adapter` option. */
  adapter: ReturnType<typeof createAdapter>;
  /** True while both Redis connections are up, so the other processes can be reached. */
  up(): boolean;
  close(): Promise<void>;
}

/**
 * While Redis is away the adapter's publishes are dropped instead of queued: this process goes
 * on serving its own sockets (the adapter delivers locally before it publishes), and a message
 * or presence list from minutes ago is not replayed to the others when Redis returns; what they
 * missed is in `history`. The adapter never awaits or catches its publishes, so a rejected one
 * would be an unhandled rejection, which stops a Node process.
 */
function dropPublishesWhileDown(client: Redis): void {
  const publish = client.publish.bind(client) as (
    channel: string,
    message: string | Buffer,
  ) => Promise<number>;
  client.publish = ((channel: string, message: string | Buffer) =>
    client.status === 'ready'
      ? publish(channel, message).catch(() => 0)
      : Promise.resolve(0)) as Redis['publish'];
}

/**
 * The Socket.IO Redis adapter (@socket.io/redis-adapter, pub/sub): broadcasts to rooms,
 * disconnectSockets() and serverSideEmit() reach the sockets of every process sharing the Redis
 * and the key prefix. Two connections, because a subscribed Redis connection can do nothing else.
 */
export function createCluster(url: string, keyPrefix: string, log: Logger): Cluster {
  const pub = createRedis(url, log, {
    purpose: 'socket.io-pub',
    // Fail at once rather than queue while Redis is away (see dropPublishesWhileDown).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  const sub = createRedis(url, log, {
    purpose: 'socket.io-sub',
    // The adapter subscribes once, at start, possibly before Redis answers: those commands wait
    // for the connection however long it takes, and ioredis subscribes again after a reconnection.
    maxRetriesPerRequest: null,
  });
  dropPublishesWhileDown(pub);
  const adapter = createAdapter(pub, sub, {
    key: `${keyPrefix}socket.io`,
    requestsTimeout: CLUSTER_REQUEST_TIMEOUT_MS,
    // Answers go to the asking process only, not to every process.
    publishOnSpecificResponseChannel: true,
  });
  return {
    adapter,
    up: () => pub.status === 'ready' && sub.status === 'ready',
    async close() {
      await Promise.all([closeRedis(pub), closeRedis(sub)]);
    },
  };
}
