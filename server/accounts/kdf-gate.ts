import { availableParallelism } from 'node:os';

/**
 * How many scrypt computations may run at once. scrypt runs on libuv's threadpool, which SQLite
 * queries and file reads share; with a hash on every thread, each query waits behind a ~0.4 s
 * hash and a login storm stalls the whole server (/api/health p99 of 2 s in
 * bench/login-storm-health.ts). More hashes than cores finish no sooner, so one per core, and
 * always at least one pool thread left for everything else.
 */
export function kdfSlots(threadpoolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4): number {
  return Math.max(1, Math.min(availableParallelism(), threadpoolSize - 1));
}

/** A counting semaphore: at most `slots` tasks run; the rest wait their turn in order. */
export class KdfGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly slots = kdfSlots()) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.slots) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
