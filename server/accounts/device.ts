import { hash, randomBytes, randomInt } from 'node:crypto';
import { AppError } from '../errors.js';
import { DEVICE, formatUserCode, normalizeUserCode } from '../protocol.js';
import * as store from '../store/device-codes.js';
import * as users from '../store/users.js';
import * as audit from '../store/audit.js';
import type { DeviceCodeRow } from '../store/device-codes.js';
import type { UserRow } from '../store/users.js';
import type { LoginResult } from './login.js';
import type { Authenticated } from './sessions.js';
import { sessionForSignIn } from './deactivation.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * Device login (RFC 8628). A terminal asks for a pair of codes: the device code, its secret
 * (256 bits, kept as SHA-256), and the user code, eight letters a person reads off the terminal
 * and confirms in a browser where they are signed in with a session (never a personal access
 * token: ROUTE_ACCESS). The terminal polls with the device code, no faster than the interval,
 * and once the code is approved the poll answers with a session of its own, which shows in the
 * sessions list under the terminal's name and is revoked like any other. The user code is few
 * enough bits to guess offline, so it is kept as a keyed hash (SECRET_KEY); guessing it online
 * is what deviceCodeTry's limits are for (20^8 codes, 20 wrong per 10 minutes).
 */

const sha256 = (value: string): string => hash('sha256', value, 'hex');
const userCodeHash = (deps: AccountsDeps, plain: string): string => deps.key.mac(`device-user-code:${plain}`);

function newUserCode(): string {
  let code = '';
  for (let i = 0; i < DEVICE.userCodeLength; i++) {
    code += DEVICE.userCodeAlphabet[randomInt(DEVICE.userCodeAlphabet.length)];
  }
  return code;
}

export interface DeviceGrant {
  deviceCode: string;
  /** `XXXX-XXXX`. */
  userCode: string;
  expiresAt: number;
  interval: number;
}

/** POST /api/device/code: a new pending device login for the terminal at `meta`. */
export async function startDeviceLogin(
  deps: AccountsDeps,
  input: { clientName: string },
  meta: RequestMeta,
): Promise<DeviceGrant> {
  await deps.limits.deviceCode(meta.ip);
  const now = deps.clock.now();
  const expiresAt = now + DEVICE.expiresMinutes * 60_000;
  const deviceCode = randomBytes(32).toString('base64url');
  await store.pruneExpired(deps.db, now);
  // Two live codes alike are one in 25 billion; a clash is the unique index refusing, and a
  // fresh code is drawn rather than failing the request.
  for (let attempt = 0; ; attempt++) {
    const userCode = newUserCode();
    try {
      await store.insert(deps.db, {
        device_code_hash: sha256(deviceCode),
        user_code_hash: userCodeHash(deps, userCode),
        client_name: input.clientName,
        ip: meta.ip,
        user_agent: meta.userAgent?.slice(0, 512) ?? null,
        created_at: now,
        expires_at: expiresAt,
        interval_s: DEVICE.intervalSeconds,
      });
      return { deviceCode, userCode: formatUserCode(userCode), expiresAt, interval: DEVICE.intervalSeconds };
    } catch (err) {
      if (attempt >= 2 || !/unique|duplicate/i.test(String((err as Error).message))) throw err;
    }
  }
}

const expiredToken = () =>
  new AppError(
    'expired_token',
    'this device code expired, was already used, or was never issued; start the login again',
  );

/**
 * POST /api/device/token: the terminal's poll. Pending, too soon (and from then on slower),
 * denied, expired - or, once, the session.
 */
export async function pollDeviceLogin(
  deps: AccountsDeps,
  deviceCode: string,
  meta: RequestMeta,
): Promise<LoginResult> {
  await deps.limits.devicePoll(meta.ip);
  const now = deps.clock.now();
  const row = await store.findByDeviceCodeHash(deps.db, sha256(deviceCode));
  if (!row || row.consumed_at !== null) throw expiredToken();
  if (row.denied_at !== null) {
    throw new AppError('access_denied', 'the login was denied in the browser; nothing was signed in');
  }
  if (row.expires_at <= now) throw expiredToken();
  if (!(await store.claimPoll(deps.db, row.id, now, DEVICE.slowDownSeconds))) {
    const interval = row.interval_s + DEVICE.slowDownSeconds;
    throw new AppError('slow_down', `polled too soon: wait ${interval} s between polls`, { interval });
  }
  if (row.approved_at === null) {
    throw new AppError('authorization_pending', 'waiting for the code to be approved in the browser', {
      interval: row.interval_s,
    });
  }
  // Approved: the session goes out once, even to two polls at once.
  const user = row.user_id === null ? undefined : await users.findById(deps.db, row.user_id);
  if (!user || !(await store.consume(deps.db, row.id, now))) throw expiredToken();
  // The session is named for the terminal that asked, as the sessions list shows it.
  const named = { ...meta, userAgent: `${row.client_name} (device login)` };
  const { token, session } = await sessionForSignIn(deps, user, named, 'device_login');
  deps.metrics.login('ok');
  return { token, expiresAt: session.expires_at, user };
}

/** What the approver sees before deciding. */
export interface DeviceLookup {
  userCode: string;
  row: DeviceCodeRow;
}

const noSuchCode = () =>
  new AppError(
    'not_found',
    'no login is waiting for this code: check it against your terminal, or start again there (codes last 10 minutes and work once)',
    { field: 'user_code' },
  );

/**
 * The pending login behind a user code typed by a signed-in person. A code that is wrong,
 * unknown, expired or already decided answers alike and counts against the person and the
 * address; a right one gives its point back.
 */
async function findPending(
  deps: AccountsDeps,
  user: UserRow,
  typed: string,
  meta: RequestMeta,
): Promise<DeviceLookup> {
  const plain = normalizeUserCode(typed);
  const attempt = await deps.limits.deviceCodeTry(user.id, meta.ip);
  const row =
    plain === undefined ? undefined : await store.findByUserCodeHash(deps.db, userCodeHash(deps, plain));
  if (!row || row.user_id !== null || row.expires_at <= deps.clock.now()) throw noSuchCode();
  await attempt.refund();
  return { userCode: formatUserCode(plain!), row };
}

/** POST /api/device/lookup: the terminal's name, address and time, for the approver to check. */
export async function lookupDeviceLogin(
  deps: AccountsDeps,
  auth: Authenticated,
  userCode: string,
  meta: RequestMeta,
): Promise<DeviceLookup> {
  return findPending(deps, auth.user, userCode, meta);
}

/** POST /api/device/approve: the signed-in person approves or denies the terminal's login. */
export async function decideDeviceLogin(
  deps: AccountsDeps,
  auth: Authenticated,
  input: { userCode: string; approve: boolean },
  meta: RequestMeta,
): Promise<DeviceLookup> {
  const found = await findPending(deps, auth.user, input.userCode, meta);
  const now = deps.clock.now();
  await deps.db.transaction(async (trx) => {
    // Decided elsewhere in the meantime (another tab): the code is no longer waiting.
    if (!(await store.decide(trx, found.row.id, auth.user.id, input.approve, now))) throw noSuchCode();
    await audit.record(trx, input.approve ? 'device_approved' : 'device_denied', auth.user.id, now, meta);
  });
  return found;
}
