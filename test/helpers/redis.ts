import { randomBytes } from 'node:crypto';

/**
 * MUX1_TEST_REDIS_URL=redis://... runs test servers with the Socket.IO Redis adapter: each server
 * gets that Redis and a key prefix of its own, so servers (and runs) never hear each other.
 */
export function testRedisEnv(): Record<string, string> {
  const url = process.env.MUX1_TEST_REDIS_URL;
  if (!url) return {};
  return { REDIS_URL: url, REDIS_KEY_PREFIX: testRedisPrefix() };
}

/** A key prefix no other test uses: `mux1test:<random>:`. */
export const testRedisPrefix = (): string => `mux1test:${randomBytes(5).toString('hex')}:`;

/** The machine's Redis, which system tests share (each under its own key prefix) but never stop. */
export const machineRedisUrl = process.env.MUX1_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
