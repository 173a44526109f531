import { randomBytes } from 'node:crypto';
import { createChallenge, extractParams, verifySolution } from 'altcha-lib/v1';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { ChallengeBody } from '../protocol.js';
import type { Db } from '../store/db.js';
import * as usedChallenges from '../store/used-challenges.js';
import type { LimiterStore } from './store.js';

/** Long enough to solve on a slow machine and resend, short enough that hoarding does not pay. */
export const CHALLENGE_TTL_S = 5 * 60;

/** What a client sends back: the ALTCHA payload, base64 of JSON, as the ALTCHA widget does. */
const solutionShape = z.object({
  algorithm: z.literal('SHA-256'),
  challenge: z.string().regex(/^[0-9a-f]{64}$/),
  number: z.number().int().min(0).max(1e9),
  salt: z.string().min(1).max(200),
  signature: z.string().regex(/^[0-9a-f]{64}$/),
});

export interface Challenges {
  /** A fresh signed challenge (`GET /api/challenge`, and inside every 428 answer). */
  create(): Promise<ChallengeBody>;
  /**
   * Passes when `solution` solves a challenge this server (or one sharing CHALLENGE_SECRET)
   * signed, not expired and not used before; otherwise throws 428 `challenge_required` with
   * a new challenge to solve.
   */
  require(solution: unknown): Promise<void>;
}

/** Solutions pruned from the database once per this many first uses. */
const PRUNE_EVERY = 100;

/**
 * A solution is good for one request: its signature is remembered until its challenge expires,
 * wherever every process that shares CHALLENGE_SECRET looks - Redis when configured, else the
 * database (a restart, or a second process on the same database, must not accept it again).
 * Only with neither, in a test or a tool, does memory do. Returns whether this is the first use.
 */
function usedSolutions(options: {
  clock: Clock;
  store: LimiterStore;
  db?: Db;
}): (signature: string, expiresAt: number) => Promise<boolean> {
  const { db, store, clock } = options;
  if (store.mode() === 'memory' && db) {
    let uses = 0;
    return async (signature, expiresAt) => {
      if (++uses % PRUNE_EVERY === 0) await usedChallenges.prune(db, clock.now());
      return usedChallenges.claim(db, signature, expiresAt);
    };
  }
  const used = store.make({ name: 'challenge-used', points: 1, durationS: CHALLENGE_TTL_S });
  return async (signature) => {
    try {
      await used.consume(signature);
      return true;
    } catch (err) {
      if (err instanceof RateLimiterRes) return false;
      throw err;
    }
  };
}

function decode(solution: unknown): z.output<typeof solutionShape> | undefined {
  if (typeof solution !== 'string' || solution.length > 2000) return undefined;
  try {
    const parsed = solutionShape.safeParse(JSON.parse(Buffer.from(solution, 'base64').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Proof of work instead of a CAPTCHA, which a terminal cannot show (ALTCHA, altcha-lib's v1
 * protocol): find the number n <= maxnumber with SHA-256(salt + n) = challenge. A person's
 * client pays about a second once in a while; a bot guessing passwords pays it per guess.
 */
export function createChallenges(options: {
  secret?: string;
  maxNumber: number;
  clock: Clock;
  store: LimiterStore;
  db?: Db;
}): Challenges {
  // A per-process key means another process (or a restart) cannot verify the solutions: set
  // CHALLENGE_SECRET when running several processes.
  const hmacKey = options.secret ?? randomBytes(32).toString('hex');
  const firstUse = usedSolutions(options);

  const create = async (): Promise<ChallengeBody> => {
    const c = await createChallenge({
      hmacKey,
      maxnumber: options.maxNumber,
      expires: new Date(options.clock.now() + CHALLENGE_TTL_S * 1000),
    });
    return {
      algorithm: 'SHA-256',
      challenge: c.challenge,
      maxnumber: c.maxnumber ?? options.maxNumber,
      salt: c.salt,
      signature: c.signature,
    };
  };

  const refuse = async (message: string) =>
    new AppError('challenge_required', message, { challenge: await create() });

  return {
    create,
    async require(solution) {
      if (solution === undefined || solution === null || solution === '') {
        throw await refuse('solve the proof-of-work challenge and send it back as "altcha"');
      }
      const payload = decode(solution);
      const expires = payload && Number(extractParams(payload).expires) * 1000;
      const valid =
        payload !== undefined &&
        Number.isFinite(expires) &&
        expires! > options.clock.now() &&
        // Expiry is checked above against the injected clock, not the library's Date.now().
        (await verifySolution(payload, hmacKey, false));
      if (!valid) throw await refuse('that challenge solution is wrong or expired; solve this new one');
      if (!(await firstUse(payload.signature, expires!))) {
        throw await refuse('that challenge was already used; solve this new one');
      }
    },
  };
}
