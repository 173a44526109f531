import { z } from 'zod';
import { oidcProvidersSchema, type OidcProviderSetting } from './oidc-providers.js';

/**
 * Every server setting, with the environment variable that sets it and its default.
 * One table so the loader, the error messages and the README cannot disagree.
 */
/**
 * A number from JSON, or its decimal spelling from the environment or a flag. Not z.coerce:
 * that turns `true` into 1 and `[5000]` into 5000, so a typo in a config file would pass.
 */
const numeric = (problem: string) =>
  z.union(
    [
      z.number(),
      z
        .string()
        .trim()
        .regex(/^[+-]?(\d+\.?\d*|\.\d+)$/)
        .transform(Number),
    ],
    { error: problem },
  );
const wholeNumber = (min: number, max: number) => {
  const problem = `must be a whole number from ${min} to ${max}`;
  return numeric(problem).pipe(
    z.number().int({ error: problem }).min(min, { error: problem }).max(max, { error: problem }),
  );
};
const days = numeric('must be a number of days from 0.001 to 365').pipe(
  z
    .number()
    .min(0.001, { error: 'must be at least 0.001 days' })
    .max(365, { error: 'must be at most 365 days' }),
);
const port = wholeNumber(0, 65535);
const positiveInt = wholeNumber(1, 1_000_000);
const bool = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes' || v === 'on');
const optionalText = z.string().trim().min(1).optional();
const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`,
    );

export const settings = {
  port: { env: 'PORT', schema: port, default: 5000 },
  host: { env: 'HOST', schema: z.string().trim().min(1), default: '127.0.0.1' },
  databaseUrl: {
    env: 'DATABASE_URL',
    // Any other scheme would be taken for a file path and create a folder named after it.
    schema: z
      .string()
      .trim()
      .min(1)
      .refine(
        (v) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^(sqlite|postgres|postgresql):/i.test(v),
        'must be a file path, a sqlite: URL or a postgres:// URL',
      ),
    default: './data/mux1.sqlite',
  },
  redisUrl: { env: 'REDIS_URL', schema: url(['redis:', 'rediss:']).optional(), default: undefined },
  smtpUrl: { env: 'SMTP_URL', schema: url(['smtp:', 'smtps:']).optional(), default: undefined },
  mailFrom: {
    env: 'MAIL_FROM',
    schema: z.string().trim().min(3).max(254),
    default: 'mux1 <no-reply@localhost>',
  },
  publicUrl: { env: 'PUBLIC_URL', schema: url(['http:', 'https:']).optional(), default: undefined },
  corsOrigins: {
    env: 'CORS_ORIGINS',
    schema: z
      .union([z.array(z.string()), z.string()])
      .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean)),
    default: [] as string[],
  },
  scryptLogN: { env: 'SCRYPT_LOG_N', schema: wholeNumber(10, 22), default: 17 },
  limitSignupsPer10Min: { env: 'LIMIT_SIGNUPS_PER_10MIN', schema: positiveInt, default: 30 },
  limitFailedLoginsPer10Min: { env: 'LIMIT_FAILED_LOGINS_PER_10MIN', schema: positiveInt, default: 50 },
  limitSocketsPerAddress: { env: 'LIMIT_SOCKETS_PER_ADDRESS', schema: positiveInt, default: 50 },
  limitMailsPerHourPerEmail: { env: 'LIMIT_MAILS_PER_HOUR_PER_EMAIL', schema: positiveInt, default: 5 },
  limitMailsPerHourPerAddress: { env: 'LIMIT_MAILS_PER_HOUR_PER_ADDRESS', schema: positiveInt, default: 20 },
  /** Password hashes (scrypt) one client address may cause in 10 minutes, whatever their outcome. */
  limitKdfPer10Min: { env: 'LIMIT_KDF_PER_10MIN', schema: positiveInt, default: 120 },
  /** Wrong mailed codes (verify-email, password reset) per address and per email in 10 minutes. */
  limitCodeFailuresPer10Min: { env: 'LIMIT_CODE_FAILURES_PER_10MIN', schema: positiveInt, default: 10 },
  /** Wrong mailed codes per account per day (UTC), across codes; past it every code is refused. */
  limitWrongCodesPerDay: { env: 'LIMIT_WRONG_CODES_PER_DAY', schema: positiveInt, default: 20 },
  /** Password hashes waiting for a free slot; past it a request answers 503 with Retry-After. */
  kdfQueueMax: { env: 'KDF_QUEUE_MAX', schema: wholeNumber(0, 100_000), default: 16 },
  /** Live sessions per user; a new login past it ends the oldest. */
  sessionsPerUserMax: { env: 'SESSIONS_PER_USER_MAX', schema: wholeNumber(1, 100_000), default: 50 },
  /** Prefix of every key mux1 writes to Redis, so several deployments can share one Redis. */
  redisKeyPrefix: {
    env: 'REDIS_KEY_PREFIX',
    schema: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 characters of letters, digits and : _ . -'),
    default: 'mux1:',
  },
  /** HMAC key for proof-of-work challenges; unset = random per process (see docs/security.md). */
  challengeSecret: {
    env: 'CHALLENGE_SECRET',
    schema: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    default: undefined,
  },
  /** Upper bound of the challenge's secret number: the solver tries half of it on average. */
  challengeMaxNumber: { env: 'CHALLENGE_MAX_NUMBER', schema: wholeNumber(10, 10_000_000), default: 100_000 },
  /**
   * 32 random bytes in base64: encrypts two-factor secrets and keys the hashes of mailed and backup
   * codes. Unset: kept in a file beside the SQLite database, made on first start (server/secret-key.ts).
   */
  secretKey: {
    env: 'SECRET_KEY',
    schema: z
      .string()
      .trim()
      .refine(
        (v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32,
        'must be 32 random bytes in base64 (openssl rand -base64 32)',
      )
      .optional(),
    default: undefined,
  },
  /** PEM files: with both set the server speaks HTTPS and WSS itself (server/tls.ts). */
  tlsCert: { env: 'TLS_CERT', schema: optionalText, default: undefined },
  tlsKey: { env: 'TLS_KEY', schema: optionalText, default: undefined },
  trustProxy: { env: 'TRUST_PROXY', schema: bool, default: false },
  /**
   * Host names (or host:port) requests may name besides those of PUBLIC_URL and the bind address;
   * any other Host is answered 421 (DNS rebinding). `*` allows any.
   */
  allowedHosts: {
    env: 'ALLOWED_HOSTS',
    schema: z
      .union([z.array(z.string()), z.string()])
      .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean)),
    default: [] as string[],
  },
  /** Whether /api/server-status shows its counts to anyone, not only to signed-in users. */
  serverStatusPublic: { env: 'SERVER_STATUS_PUBLIC', schema: bool, default: false },
  logLevel: {
    env: 'LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
  },
  /** A file for the JSON log lines instead of stdout, rotated by size (server/log.ts). */
  logFile: { env: 'LOG_FILE', schema: optionalText, default: undefined },
  logFileSize: {
    env: 'LOG_FILE_SIZE',
    schema: z
      .string()
      .trim()
      .regex(/^[1-9]\d{0,5}[kmg]$/i, 'must be a size such as 512k, 10m or 1g'),
    default: '10m',
  },
  logFileCount: { env: 'LOG_FILE_COUNT', schema: wholeNumber(1, 1000), default: 5 },
  metricsToken: {
    env: 'METRICS_TOKEN',
    schema: optionalText.pipe(z.string().min(16).optional()),
    default: undefined,
  },
  metricsPort: { env: 'METRICS_PORT', schema: port.optional(), default: undefined },
  codeTtlMinutes: { env: 'CODE_TTL_MINUTES', schema: wholeNumber(1, 1440), default: 15 },
  sessionTtlDays: { env: 'SESSION_TTL_DAYS', schema: days, default: 30 },
  sessionIdleDays: { env: 'SESSION_IDLE_DAYS', schema: days, default: 7 },
  /** Account exports one account may start in an hour (counted from its activity log). */
  exportsPerHour: { env: 'EXPORTS_PER_HOUR', schema: wholeNumber(1, 1000), default: 3 },
  /** Exports of one account running at the same time in one process. */
  exportsAtOnce: { env: 'EXPORTS_AT_ONCE', schema: wholeNumber(1, 100), default: 1 },
  /** Days a session row is kept after it expired or was revoked (0 keeps none). */
  retentionSessionsDays: { env: 'RETENTION_SESSIONS_DAYS', schema: wholeNumber(0, 3650), default: 30 },
  /** Days an audit event is kept. */
  retentionAuditDays: { env: 'RETENTION_AUDIT_DAYS', schema: wholeNumber(1, 3650), default: 365 },
  /** Days a sent or given-up mail stays in the outbox. */
  retentionMailDays: { env: 'RETENTION_MAIL_DAYS', schema: wholeNumber(0, 3650), default: 7 },
  /** Minutes between retention runs; 0 turns the job off. */
  retentionIntervalMinutes: { env: 'RETENTION_INTERVAL_MINUTES', schema: wholeNumber(0, 10080), default: 60 },
  /**
   * The size of libuv's threadpool, which Node itself reads from the environment at start (so set
   * it there: a config-file value does not resize the pool). Password hashing leaves one of its
   * threads free for database and file work (kdfSlots in server/accounts/passwords.ts).
   */
  threadpoolSize: { env: 'UV_THREADPOOL_SIZE', schema: wholeNumber(1, 1024), default: 4 },
  /**
   * Identity providers to sign in with (OpenID Connect, or the `github` preset): a JSON array of
   * {id, name, issuer, clientId, clientSecret} (config/oidc-providers.ts). Empty: none.
   */
  oidcProviders: { env: 'OIDC_PROVIDERS', schema: oidcProvidersSchema, default: [] as OidcProviderSetting[] },
  /** Per process: N processes may hold N x this many PostgreSQL connections (SQLite uses one). */
  databasePoolMax: { env: 'DATABASE_POOL_MAX', schema: wholeNumber(1, 1000), default: 10 },
} as const;

export type SettingName = keyof typeof settings;

export type ServerConfig = { [K in SettingName]: z.output<(typeof settings)[K]['schema']> };
