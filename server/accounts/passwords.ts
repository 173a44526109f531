import { availableParallelism } from 'node:os';
import * as scryptModule from 'scrypt-kdf';
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '../errors.js';
import type { FieldProblem } from '../validate.js';
import { passwordField } from './fields.js';

/*
 * Passwords: what a new one must not be, and how it is hashed and checked (scrypt, a few at a
 * time). Proving a signed-in user knows theirs shares the login lockout: login.ts.
 */

const common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

/** Rejects well-known passwords and ones equal to the username or email; no composition rules. */
export function checkPassword(password: string, others: { username?: string; email?: string }): void {
  const problem = passwordPolicyProblem(password, others);
  if (problem) throw new AppError('weak_password', problem, { field: 'password' });
}

/** What checkPassword refuses a password for, or undefined. */
function passwordPolicyProblem(password: string, others: { username?: string; email?: string }) {
  const lower = password.toLowerCase();
  if (common.has(lower)) return 'password is too common; choose another';
  const emailLocal = others.email?.split('@')[0];
  if (lower === others.username || lower === others.email || (emailLocal && lower === emailLocal)) {
    return 'password must not be your username or email';
  }
  return undefined;
}

/**
 * The policy's verdict on the `password` of a request whose other fields were refused, for its
 * `errors` list (parseAll), so that a form shows a common password beside a bad email instead of
 * one round trip later. Only a password of the right shape is judged, against the other fields
 * as sent (trimmed, lower-cased), as the rules would judge it once they are fixed.
 */
export function newPasswordProblems(input: Record<string, unknown>): FieldProblem[] {
  const password = passwordField.safeParse(input.password);
  if (!password.success) return [];
  const other = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : undefined);
  const problem = passwordPolicyProblem(password.data, {
    username: other(input.username),
    email: other(input.email),
  });
  return problem ? [{ field: 'password', error: problem, code: 'weak_password' }] : [];
}

// scrypt-kdf's runtime export is a default class, while its .d.ts declares named functions.
const { kdf, verify, viewParams } = (scryptModule as unknown as { default: typeof scryptModule }).default;

/**
 * scrypt through scrypt-kdf, which stores its parameters and salt with the hash and lifts
 * Node's 32 MiB `maxmem` default (logN 17 with r=8 needs 128 MiB).
 */
export class PasswordHasher {
  private dummy: Promise<string> | undefined;
  private readonly gate: KdfGate;

  /**
   * `slots`: how many hashes may run at once (kdfSlots); `queueMax`: how many may wait for one
   * (KDF_QUEUE_MAX) before a request is refused with 503 `server_busy`.
   */
  constructor(
    private readonly logN: number,
    slots = 1,
    queueMax = Infinity,
  ) {
    this.gate = new KdfGate(slots, queueMax);
  }

  /** scrypt computations started so far (hashes and checks, dummy ones included). */
  get runs(): number {
    return this.gate.started;
  }

  /**
   * `weight`, here and below: how many hashes the caller's address caused lately (its count in
   * LIMIT_KDF_PER_10MIN); the lighter go first when hashes wait.
   */
  async hash(password: string, weight = 0): Promise<string> {
    const hashed = await this.gate.run(() => kdf(password, { logN: this.logN, r: 8, p: 1 }), weight);
    return Buffer.from(hashed).toString('base64');
  }

  async verify(hash: string, password: string, weight = 0): Promise<boolean> {
    // A malformed stored hash is a wrong password; a full queue (server_busy) is not.
    return this.gate.run(() => verify(Buffer.from(hash, 'base64'), password).catch(() => false), weight);
  }

  /** Spends the same time as a real check, for accounts that do not exist. */
  async verifyDummy(password: string, weight = 0): Promise<false> {
    this.dummy ??= this.hash('mux1 dummy password for unknown accounts');
    await this.verify(await this.dummy, password, weight);
    return false;
  }

  /**
   * Throws the 503 `server_busy` a hash of this weight would get now, without queueing: for a
   * request to be refused before any other work (a lookup, a claimed failure) when the queue
   * would refuse it anyway. Only a forecast: the queue decides again when the hash is asked for.
   */
  refuseIfBusy(weight = 0): void {
    this.gate.refuseIfFull(weight);
  }

  /** True when the stored hash was made with other parameters than today's. */
  isOutdated(hash: string): boolean {
    try {
      const p = viewParams(Buffer.from(hash, 'base64'));
      return p.logN !== this.logN || p.r !== 8 || p.p !== 1;
    } catch {
      return true;
    }
  }
}

/**
 * How many scrypt computations may run at once, given the size of libuv's threadpool
 * (UV_THREADPOOL_SIZE, through the configuration). scrypt runs on that pool, which SQLite
 * queries and file reads share; with a hash on every thread, each query waits behind a ~0.4 s
 * hash and a login storm stalls the whole server (/api/health p99 of 2 s in
 * bench/login-storm-health.ts). More hashes than cores finish no sooner, so one per core, and
 * always at least one pool thread left for everything else.
 */
export function kdfSlots(threadpoolSize: number): number {
  return Math.max(1, Math.min(availableParallelism(), threadpoolSize - 1));
}

interface Waiter {
  weight: number;
  seq: number;
  admit: () => void;
  refuse: (err: AppError) => void;
}

/**
 * A counting semaphore: at most `slots` tasks run; at most `queueMax` wait, and past that a task
 * is refused at once with 503 `server_busy`. An unbounded queue let anyone who can make the
 * server hash (logins, signups, resets) push a real user's login back by minutes.
 *
 * Waiting tasks are not served in arrival order but lightest first: a task's weight is how many
 * hashes its client address caused lately, so a person logging in goes before the hundredth
 * hash of an address that floods the server; among equals, arrival order. A full queue makes
 * room for a lighter newcomer by refusing its heaviest waiter. A flood from many addresses at
 * once still fills the slots, but it delays a light client by the hashes running, not by the
 * whole queue.
 *
 * With two slots or more, one is kept for light tasks: heavy ones (an address with more than
 * LIGHT_WEIGHT hashes that proved no password lately) may hold all slots but one. A flood then
 * keeps one core hashing for itself and a person's login starts at once on the other, instead of
 * waiting for a flood hash to end and then sharing the CPU with two (bench/kdf-dos.ts). A storm of
 * real logins, each paid off by its right password, stays light and uses every slot.
 */
export const LIGHT_WEIGHT = 3;

export class KdfGate {
  private active = 0;
  /** Running tasks heavier than LIGHT_WEIGHT: at most heavyMax at once. */
  private heavyActive = 0;
  private readonly heavyMax: number;
  private readonly waiting: Waiter[] = [];
  private seq = 0;
  /** Average task time, for the Retry-After of a refusal. */
  private averageMs = 100;
  started = 0;

  constructor(
    private readonly slots: number,
    private readonly queueMax = Infinity,
  ) {
    this.heavyMax = Math.max(1, slots - 1);
  }

  async run<T>(task: () => Promise<T>, weight = 0): Promise<T> {
    if (this.mayStart(weight)) this.take(weight);
    else await this.wait(weight); // the slot is taken for it when it is admitted
    const began = performance.now();
    this.started++;
    try {
      return await task();
    } finally {
      this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - began);
      this.active--;
      if (weight > LIGHT_WEIGHT) this.heavyActive--;
      this.admitWaiting();
    }
  }

  private mayStart(weight: number): boolean {
    return this.active < this.slots && (weight <= LIGHT_WEIGHT || this.heavyActive < this.heavyMax);
  }

  private take(weight: number): void {
    this.active++;
    if (weight > LIGHT_WEIGHT) this.heavyActive++;
  }

  /** Starts the lightest waiters while slots allow: when the lightest may not start, none may. */
  private admitWaiting(): void {
    for (;;) {
      const next = this.peekLightest();
      if (!next || !this.mayStart(next.weight)) return;
      this.waiting.splice(this.waiting.indexOf(next), 1);
      this.take(next.weight);
      next.admit();
    }
  }

  /** Throws what run() would at once for a task of this weight: the queue is full of lighter ones. */
  refuseIfFull(weight = 0): void {
    if (this.mayStart(weight) || this.waiting.length < this.queueMax) return;
    const heaviest = this.heaviest();
    if (!heaviest || heaviest.weight <= weight) throw this.busy();
  }

  private wait(weight: number): Promise<void> {
    if (this.waiting.length >= this.queueMax) {
      const heaviest = this.heaviest();
      if (!heaviest || heaviest.weight <= weight) throw this.busy();
      this.waiting.splice(this.waiting.indexOf(heaviest), 1);
      heaviest.refuse(this.busy());
    }
    return new Promise<void>((admit, refuse) => {
      this.waiting.push({ weight, seq: this.seq++, admit, refuse });
    });
  }

  /** The waiter to run next: the lightest, the earliest among equals. */
  private peekLightest(): Waiter | undefined {
    let best: Waiter | undefined;
    for (const w of this.waiting) if (!best || w.weight < best.weight) best = w;
    return best;
  }

  /** The waiter a lighter newcomer displaces: the heaviest, the latest among equals. */
  private heaviest(): Waiter | undefined {
    let worst: Waiter | undefined;
    for (const w of this.waiting) if (!worst || w.weight >= worst.weight) worst = w;
    return worst;
  }

  /** 503 with the time the queue ahead should take to drain. */
  private busy(): AppError {
    const seconds = Math.max(1, Math.ceil(((this.waiting.length + 1) * this.averageMs) / this.slots / 1000));
    return new AppError(
      'server_busy',
      `the server is busy checking passwords; try again in ${seconds} s`,
      { retry_after_s: seconds },
      seconds,
    );
  }
}
