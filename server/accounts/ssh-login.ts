import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { SSH_KEYS, sshLoginNamespace } from '../protocol.js';
import { CHALLENGE_AFTER_FAILURES } from '../limits/index.js';
import * as users from '../store/users.js';
import * as audit from '../store/audit.js';
import * as store from '../store/ssh-keys.js';
import { readerOf } from '../store/db.js';
import type { AccountsDeps, RequestMeta } from './index.js';
import { chargedCodes, chargedToAddress, labelsByCode, type AddressCharge } from './charged-to-address.js';
import {
  accountKey,
  claimAttempt,
  endFailureRun,
  lockedFor,
  MAX_FAILED_LOGINS,
  recentFailures,
  tooManyAttempts,
  type LoginResult,
} from './login.js';
import { refuseDisabled } from './deactivation.js';
import { secondStepOrSession, type SecondStepRequired } from './two-factor-login.js';
import { parseSshPublicKey } from './ssh-key-format.js';
import { verifySshSignature } from './ssh-signature.js';

/*
 * Logging in with an SSH key: the server hands out a random nonce, the client signs it with its
 * key in OpenSSH's SSHSIG format under the namespace `mux1-login@HOST` (HOST of the public URL),
 * and sends back the signature and the public key. A challenge works once and for
 * SSH_KEYS.challengeSeconds. A name with no account gets a challenge of the same shape, and every
 * refusal answers alike, so neither tells whether an account or a key exists.
 *
 * A bad signature (or an expired or used challenge, or a key that is not an accepted kind) counts
 * against the account's lockout and the address's failed logins like a wrong password. A signature
 * that is right for the key it names, by a key that is not this account's, does not: it proves its
 * sender holds that key and guesses at nothing, and a client whose agent holds several keys tries
 * them one by one (docs/security.md "SSH-key login").
 *
 * By default the key is the first factor only: an account with two-factor sign-in goes on to the
 * code step, unless its owner chose that a key stands in for both (ssh-keys.ts, setSshKeyPolicy).
 */

const CHALLENGES_KEPT_PER_NAME = 5;

const refused = () =>
  new AppError(
    'invalid_credentials',
    'SSH key login refused: the key is not one of this account’s, the signature does not match, or the challenge expired or was used (ask for a new one)',
  );

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];
const hostOf = (url: string): string => new URL(url).hostname.replace(/^\[|\]$/g, '');

/**
 * The namespaces this server's login signatures may carry: that of PUBLIC_URL's host alone when it
 * is set. Without it (a server on a laptop, or reached through `--via`), the host of the address it
 * listens on, and for a loopback address each name of loopback: a client that says `localhost` and
 * a server bound to 127.0.0.1 are the same machine. Any IP address a request names would not do: a
 * hostile server at an address could then pass on a signature made for it.
 */
export function loginNamespaces(deps: AccountsDeps): string[] {
  if (deps.config.publicUrl) return [sshLoginNamespace(hostOf(deps.config.publicUrl))];
  const own = hostOf(deps.mail.publicUrl);
  const hosts = LOOPBACK.includes(own) || own.startsWith('127.') ? [own, ...LOOPBACK] : [own];
  return [...new Set(hosts)].map(sshLoginNamespace);
}

export async function createSshChallenge(
  deps: AccountsDeps,
  input: { username: string },
): Promise<{ challengeId: string; nonce: string; expiresAt: number }> {
  const reader = readerOf(deps.db);
  const name = input.username;
  const user = name.includes('@')
    ? await users.findByEmail(reader, name)
    : await users.findByUsername(reader, name);
  const now = deps.clock.now();
  const row = {
    id: `sshc_${randomBytes(16).toString('hex')}`,
    user_id: user?.id ?? null,
    name_key: user ? `#${user.id}` : name.toLowerCase(),
    nonce: randomBytes(32).toString('base64url'),
    created_at: now,
    expires_at: now + SSH_KEYS.challengeSeconds * 1000,
    used_at: null,
  };
  await store.insertChallenge(deps.db, row, CHALLENGES_KEPT_PER_NAME);
  return { challengeId: row.id, nonce: row.nonce, expiresAt: row.expires_at };
}

/** Why a refusal happened, for the counting; the client sees `refused()` for all of them. */
class KeyNotOfAccount extends AppError {}

export async function loginWithSshKey(
  deps: AccountsDeps,
  input: { challengeId: string; publicKey: string; signature: string },
  meta: RequestMeta,
): Promise<LoginResult | SecondStepRequired> {
  try {
    return await chargedToAddress(deps, meta, SSH_KEY_CHARGE, () => checkSshLogin(deps, input, meta));
  } catch (err) {
    if (err instanceof KeyNotOfAccount) throw refused();
    throw err;
  }
}

/**
 * A bad signature or a locked account counts against the address, as a wrong password does; a
 * right signature by a key that is not the account's does not (see above).
 */
const SSH_KEY_CHARGE: AddressCharge = {
  charged: (err) =>
    !(err instanceof KeyNotOfAccount) && chargedCodes('invalid_credentials', 'too_many_attempts')(err),
  label: labelsByCode({
    invalid_credentials: 'failed',
    too_many_attempts: 'locked',
    challenge_required: 'challenge_required',
  }),
};

async function checkSshLogin(
  deps: AccountsDeps,
  input: { challengeId: string; publicKey: string; signature: string },
  meta: RequestMeta,
): Promise<LoginResult | SecondStepRequired> {
  const { db, clock, limits } = deps;
  const at = clock.now();
  const event = (type: audit.AuditType, userId: number | null) =>
    audit.record(db, type, userId, clock.now(), meta);

  const challenge = await store.findChallenge(db, input.challengeId);
  if (!challenge) throw refused();
  const user = challenge.user_id === null ? undefined : await users.findById(db, challenge.user_id);
  const key = user ? accountKey(user) : challenge.name_key;

  if (!user) {
    const unknown = await limits.unknownName(challenge.name_key);
    if (unknown.failures >= MAX_FAILED_LOGINS && unknown.msLeft > 0) {
      await event('login_locked', null);
      throw tooManyAttempts(Math.ceil(unknown.msLeft / 1000));
    }
  }
  if (!(user && lockedFor(user, at) > 0)) {
    const settled = await limits.settledFailures(meta.ip, key);
    if (Math.max(settled.address, settled.account) >= CHALLENGE_AFTER_FAILURES) {
      await limits.challenges.require(meta.challenge);
    }
  }

  // Used up before anything is checked, so a signature is worth one try whatever it turns out to be.
  const fresh =
    challenge.used_at === null &&
    challenge.expires_at > at &&
    (await store.useChallenge(db, challenge.id, at));
  const presented = parseSshPublicKey(input.publicKey);
  const message = Buffer.from(challenge.nonce, 'utf8');
  const signedByPresented =
    fresh &&
    !('problem' in presented) &&
    verifySshSignature(input.signature, {
      blob: presented.blob,
      keyType: presented.type,
      namespaces: loginNamespaces(deps),
      message,
    });

  if (!user) {
    if (!signedByPresented) await limits.settleFailure(meta.ip, key);
    await event('ssh_login_failed', null);
    throw signedByPresented
      ? new KeyNotOfAccount('invalid_credentials', 'not this account’s key')
      : refused();
  }
  if (!signedByPresented) {
    // Claimed as a password's check is, so the lock it may reach is hinted to every door.
    await claimAttempt(deps, user, at, meta, { event: 'login_locked', what: 'failed logins' });
    if (recentFailures(user, at) + 1 >= MAX_FAILED_LOGINS) deps.metrics.lockout();
    await limits.settleFailure(meta.ip, key);
    await event('ssh_login_failed', user.id);
    throw refused();
  }
  if (lockedFor(user, at) > 0) {
    await event('login_locked', user.id);
    throw tooManyAttempts(lockedFor(user, at));
  }
  const registered = await store.findByFingerprint(db, presented.fingerprint);
  if (!registered || registered.user_id !== user.id || user.email_verified_at === null) {
    await event('ssh_login_failed', user.id);
    throw new KeyNotOfAccount('invalid_credentials', 'not this account’s key');
  }

  await endFailureRun(deps, user);
  // Said only to whoever proved the key, as a disabled account's right password is.
  refuseDisabled(user);
  await store.touchKey(db, registered.id, at);
  // The key is the first factor; it stands in for both only when the owner chose so.
  return secondStepOrSession(deps, user, meta, (await store.bothFactorsSince(db, user.id)) === null);
}
