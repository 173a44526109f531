import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ServerConfig } from '../../config/index.js';
import { AppError } from '../errors.js';
import { DEVICE } from '../protocol.js';
import type { LimiterStore } from './store.js';

const TEN_MINUTES_S = 600;
const HOUR_S = 3600;
/** Same window as the per-account lockout, so unknown names are treated like known ones. */
const NAME_WINDOW_S = 15 * 60;

export type LimitSettings = Pick<
  ServerConfig,
  | 'limitSignupsPer10Min'
  | 'limitFailedLoginsPer10Min'
  | 'limitMailsPerHourPerEmail'
  | 'limitMailsPerHourPerAddress'
  | 'limitKdfPer10Min'
  | 'limitCodeFailuresPer10Min'
>;

/**
 * The counter key for a client address. An IPv6 client usually holds a whole /64, so counting
 * single addresses would let it pick a fresh one per request: it is counted per /64 instead.
 * A request with no known address shares one bucket rather than escaping the limits.
 */
export function addressKey(ip: string | null): string {
  if (!ip) return 'unknown';
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')
    .concat('::/64');
}

/**
 * The counter key for an email or login name: hashed, so the limit store (possibly a shared
 * Redis) holds no list of addresses people typed, and a long input makes a short key.
 */
export const identityKey = (value: string): string =>
  createHash('sha256').update(value.trim().toLowerCase()).digest('base64url').slice(0, 32);

/** A counted attempt whose outcome is not known yet. */
export interface Attempt {
  /** How many were counted for this key in the window before this one. */
  before: number;
  /** Gives the point back: the attempt turned out not to count (a good login, a refused signup). */
  refund(): Promise<void>;
}

/** A mark per name, kept for 15 minutes unless cleared. */
export interface NameMarks {
  has(name: string): Promise<boolean>;
  set(names: string[]): Promise<void>;
  clear(names: string[]): Promise<void>;
}

/** The per-address and per-email budgets, shared by REST and Socket.IO through accounts/. */
export interface AbuseLimits {
  /** Counts a signup from `ip`; 429 past LIMIT_SIGNUPS_PER_10MIN. */
  signup(ip: string | null): Promise<Attempt>;
  /** Counts a login attempt from `ip` as a failure until refunded; 429 past LIMIT_FAILED_LOGINS_PER_10MIN. */
  login(ip: string | null): Promise<Attempt>;
  /**
   * Failures in a row for a login name that has no account, each within 15 minutes of the one
   * before - the rule the users table keeps for accounts - and how long until the last one is
   * 15 minutes old. Kept so a name without an account answers like one with; settleFailure
   * counts them (read, then write: two racing failures may count as one, which only delays
   * this lock by one guess).
   */
  unknownName(name: string): Promise<{ failures: number; msLeft: number }>;
  /**
   * Failed logins that have ended (a wrong password, a refused unverified account) for an
   * address, or for an account or a name (`account`: `#<user id>` or the name typed), in their
   * windows. Unlike the budgets above, attempts still in flight are not in these: they decide
   * the challenge, which must not be asked of correct logins that merely arrive together.
   */
  settledFailures(ip: string | null, account: string): Promise<{ address: number; account: number }>;
  /** Counts one ended failure for the address and the account (or name). */
  settleFailure(ip: string | null, account: string): Promise<void>;
  /** A right password for the account: its run of failures is over. */
  clearAccountFailures(account: string): Promise<void>;
  /**
   * The names (username, email, as typed) of accounts whose lockout is reached or near, each
   * for 15 minutes. Only a hint, read before the account is looked up (accounts/login.ts): a
   * login that may find a locked account is looked up first, so its owner gets the lockout's
   * 429 rather than a challenge. Stale either way, it costs a lookup, or a challenge before the
   * same 429.
   */
  lockHints: NameMarks;
  /**
   * Takes one point of LIMIT_KDF_PER_10MIN from the address before a password is hashed or
   * checked; never given back, whatever the outcome. 429 past it. Returns the weight the hash
   * waits with in the hashing queue (KdfGate): how many of the address's hashes in the window,
   * this one included, did not end in a right password (kdfPaidOff). A person logging in now
   * and then stays light however often they do; every hash of a flood counts.
   */
  kdf(ip: string | null): Promise<number>;
  /** The weight the address's next hash would wait with, without taking a point. */
  kdfWeight(ip: string | null): Promise<number>;
  /** The address's hash just proved a right password: it no longer weighs on its next ones. */
  kdfPaidOff(ip: string | null): Promise<void>;
  /**
   * Counts a mailed-code try (verify-email, password reset) against the address and the email,
   * as a failure until refunded by a right code; 429 past LIMIT_CODE_FAILURES_PER_10MIN for
   * either. `before` is the larger of the two counts before this try.
   */
  codeTry(email: string, ip: string | null): Promise<Attempt>;
  /** Resend-verification: LIMIT_MAILS_PER_HOUR_PER_EMAIL per email and ..._PER_ADDRESS per address. */
  consumeResend(email: string, ip: string | null): Promise<void>;
  /** Password-forgot: the same budgets as resend, counted separately. */
  consumeForgot(email: string, ip: string | null): Promise<void>;
  /** Device login: a new code for `ip`; 429 past DEVICE.codesPer10Min. */
  deviceCode(ip: string | null): Promise<void>;
  /** Device login: a poll from `ip`; 429 past DEVICE.pollsPer10Min. */
  devicePoll(ip: string | null): Promise<void>;
  /**
   * Device login: a user code typed by the signed-in `userId` from `ip`, counted as wrong until
   * refunded by a right one; 429 past DEVICE.wrongCodesPer10Min for the account or
   * DEVICE.wrongCodesPerAddressPer10Min for the address, so eight letters
   * cannot be guessed by trying.
   */
  deviceCodeTry(userId: number, ip: string | null): Promise<Attempt>;
}

export const rateLimited = (what: string, msBeforeNext: number): AppError => {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError(
    'rate_limited',
    `too many ${what}; try again in ${seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`}`,
    { retry_after_s: seconds },
    seconds,
  );
};

/** Takes one point, turning the limiter's rejection into the contract's 429. */
async function take(limiter: RateLimiterAbstract, key: string, what: string): Promise<RateLimiterRes> {
  try {
    return await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw rateLimited(what, err.msBeforeNext);
    throw err;
  }
}

async function attempt(limiter: RateLimiterAbstract, key: string, what: string): Promise<Attempt> {
  const res = await take(limiter, key, what);
  let refunded = false;
  return {
    before: res.consumedPoints - 1,
    async refund() {
      if (refunded) return;
      refunded = true;
      await limiter.reward(key, 1);
    },
  };
}

/**
 * One attempt counted against two budgets (the address's, and the email's or account's): the
 * second is asked only once the first took its point, and its refusal gives that point back, so a
 * refused attempt spends neither. `before` is the larger count; a refund gives back both.
 */
async function attemptBoth(first: () => Promise<Attempt>, second: () => Promise<Attempt>): Promise<Attempt> {
  const one = await first();
  let two: Attempt;
  try {
    two = await second();
  } catch (err) {
    await one.refund();
    throw err;
  }
  return {
    before: Math.max(one.before, two.before),
    async refund() {
      await one.refund();
      await two.refund();
    },
  };
}

export function createAbuseLimits(store: LimiterStore, config: LimitSettings): AbuseLimits {
  const signups = store.make({
    name: 'signup',
    points: config.limitSignupsPer10Min,
    durationS: TEN_MINUTES_S,
  });
  const logins = store.make({
    name: 'login-fail',
    points: config.limitFailedLoginsPer10Min,
    durationS: TEN_MINUTES_S,
  });
  // Only ever read and bumped, never refused: a count, not a budget.
  const unknownNames = store.make({ name: 'login-name', points: 1_000_000, durationS: NAME_WINDOW_S });
  // Like unknownNames: a mark that lives as long as a lock, never refused.
  const lockHints = store.make({ name: 'login-locked', points: 1_000_000, durationS: NAME_WINDOW_S });
  const mailBudget = (purpose: string) => {
    const perAddress = store.make({
      name: `${purpose}-ip`,
      points: config.limitMailsPerHourPerAddress,
      durationS: HOUR_S,
    });
    const perEmail = store.make({
      name: `${purpose}-email`,
      points: config.limitMailsPerHourPerEmail,
      durationS: HOUR_S,
    });
    return async (email: string, ip: string | null) => {
      const fromAddress = await attempt(perAddress, addressKey(ip), 'requests from your address');
      try {
        await take(perEmail, identityKey(email), 'codes asked for this email');
      } catch (err) {
        // Refused as a whole: the address keeps the point it did not spend.
        await fromAddress.refund();
        throw err;
      }
    };
  };

  // Like unknownNames: counts read and bumped, never refused.
  const settledByAddress = store.make({
    name: 'login-failed-ip',
    points: 1_000_000,
    durationS: TEN_MINUTES_S,
  });
  const kdfUses = store.make({ name: 'kdf', points: config.limitKdfPer10Min, durationS: TEN_MINUTES_S });
  // Like unknownNames: a count, never refused.
  const kdfRight = store.make({ name: 'kdf-right', points: 1_000_000, durationS: TEN_MINUTES_S });
  const unpaid = async (key: string, used: number) => Math.max(1, used - (await count(kdfRight, key)));
  const codesByAddress = store.make({
    name: 'code-ip',
    points: config.limitCodeFailuresPer10Min,
    durationS: TEN_MINUTES_S,
  });
  const codesByEmail = store.make({
    name: 'code-email',
    points: config.limitCodeFailuresPer10Min,
    durationS: TEN_MINUTES_S,
  });
  const deviceCodes = store.make({
    name: 'device-code',
    points: DEVICE.codesPer10Min,
    durationS: TEN_MINUTES_S,
  });
  const devicePolls = store.make({
    name: 'device-poll',
    points: DEVICE.pollsPer10Min,
    durationS: TEN_MINUTES_S,
  });
  const deviceTriesByAddress = store.make({
    name: 'device-try-ip',
    points: DEVICE.wrongCodesPerAddressPer10Min,
    durationS: TEN_MINUTES_S,
  });
  const deviceTriesByUser = store.make({
    name: 'device-try-user',
    points: DEVICE.wrongCodesPer10Min,
    durationS: TEN_MINUTES_S,
  });
  const count = async (limiter: RateLimiterAbstract, key: string) =>
    (await limiter.get(key))?.consumedPoints ?? 0;

  return {
    settledFailures: async (ip, account) => ({
      address: await count(settledByAddress, addressKey(ip)),
      account: await count(unknownNames, identityKey(account)),
    }),
    async settleFailure(ip, account) {
      await settledByAddress.penalty(addressKey(ip), 1);
      // Each failure starts the account's 15 minutes again, as the users table does.
      const key = identityKey(account);
      await unknownNames.set(key, (await count(unknownNames, key)) + 1, NAME_WINDOW_S);
    },
    clearAccountFailures: async (account) => {
      await unknownNames.delete(identityKey(account));
    },
    lockHints: {
      has: async (name) => ((await lockHints.get(identityKey(name)))?.msBeforeNext ?? 0) > 0,
      async set(names) {
        for (const name of names) await lockHints.set(identityKey(name), 1, NAME_WINDOW_S);
      },
      async clear(names) {
        for (const name of names) await lockHints.delete(identityKey(name));
      },
    },
    async kdf(ip) {
      const key = addressKey(ip);
      return unpaid(key, (await take(kdfUses, key, 'password checks from your address')).consumedPoints);
    },
    kdfWeight: async (ip) => unpaid(addressKey(ip), (await count(kdfUses, addressKey(ip))) + 1),
    async kdfPaidOff(ip) {
      await kdfRight.penalty(addressKey(ip), 1);
    },
    codeTry: (email, ip) =>
      attemptBoth(
        () => attempt(codesByAddress, addressKey(ip), 'wrong codes from your address'),
        () => attempt(codesByEmail, identityKey(email), 'wrong codes for this email'),
      ),
    signup: (ip) => attempt(signups, addressKey(ip), 'signups from your address'),
    login: (ip) => attempt(logins, addressKey(ip), 'failed logins from your address'),
    async unknownName(name) {
      const res = await unknownNames.get(identityKey(name));
      return { failures: res?.consumedPoints ?? 0, msLeft: res?.msBeforeNext ?? 0 };
    },
    consumeResend: mailBudget('resend'),
    consumeForgot: mailBudget('forgot'),
    async deviceCode(ip) {
      await take(deviceCodes, addressKey(ip), 'device codes asked for from your address');
    },
    async devicePoll(ip) {
      await take(devicePolls, addressKey(ip), 'device code polls from your address');
    },
    deviceCodeTry: (userId, ip) =>
      attemptBoth(
        () => attempt(deviceTriesByAddress, addressKey(ip), 'wrong codes from your address'),
        () => attempt(deviceTriesByUser, `#${userId}`, 'wrong device codes for your account'),
      ),
  };
}
