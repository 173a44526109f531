import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { SSH_KEYS } from '../protocol.js';
import * as store from '../store/ssh-keys.js';
import * as audit from '../store/audit.js';
import type { SshKeyRow } from '../store/ssh-keys.js';
import { sshKeyAddedMail } from '../mail/templates.js';
import type { AccountsDeps, RequestMeta } from './index.js';
import { callerOf, checkAccess } from './access.js';
import { confirmPassword } from './login.js';
import { parseSshPublicKey } from './ssh-key-format.js';
import { addSignInCredential, removeSignInCredential } from './sign-in-credentials.js';
import type { Authenticated } from './sessions.js';

/*
 * The SSH keys a person logs in with (ssh-login.ts): added, listed and removed by a signed-in
 * person, never by a token, so a leaked token cannot plant a way in. Adding one mails the owner.
 */

const requireSession = (auth: Authenticated) => checkAccess(callerOf(auth), 'session');

const ID_SHAPE = /^key_[0-9a-f]{32}$/;
const newKeyId = (): string => `key_${randomBytes(16).toString('hex')}`;

const badKey = (message: string) => new AppError('invalid_field', message, { field: 'public_key' });

/** Adds a key: one of the accepted kinds, not registered anywhere yet, within the user's limit. */
export async function addSshKey(
  deps: AccountsDeps,
  auth: Authenticated,
  input: { publicKey: string; name?: string },
  meta: RequestMeta,
): Promise<SshKeyRow> {
  requireSession(auth);
  const key = parseSshPublicKey(input.publicKey);
  if ('problem' in key) throw badKey(key.problem);
  const now = deps.clock.now();
  // The comment may hold anything; a name is printed in lists, so control characters go.
  const fallback =
    key.comment
      .replace(/\p{Cc}/gu, '')
      .trim()
      .slice(0, SSH_KEYS.nameMax) || key.type;
  const row: SshKeyRow = {
    id: newKeyId(),
    user_id: auth.user.id,
    name: input.name ?? fallback,
    key_type: key.type,
    public_key: key.blob.toString('base64'),
    fingerprint: key.fingerprint,
    bits: key.bits,
    created_at: now,
    last_used_at: null,
  };
  await addSignInCredential(
    deps,
    auth.user,
    {
      maxPerUser: SSH_KEYS.maxPerUser,
      countOfUser: store.countOfUser,
      tooMany: () =>
        new AppError(
          'too_many_ssh_keys',
          `you already have ${SSH_KEYS.maxPerUser} SSH keys: remove one you no longer use first`,
        ),
      registered: async (db) => (await store.findByFingerprint(db, key.fingerprint)) !== undefined,
      taken: () =>
        new AppError(
          'ssh_key_taken',
          `the key ${key.fingerprint} is registered already (a key belongs to one account only)`,
          { field: 'public_key' },
        ),
      insert: (trx) => store.insertKey(trx, row),
      at: now,
      mail: (recipient) =>
        sshKeyAddedMail(deps.mail, recipient, {
          name: row.name,
          fingerprint: row.fingerprint,
          at: now,
          ip: meta.ip,
        }),
      event: 'ssh_key_added',
    },
    meta,
  );
  return row;
}

export async function listSshKeys(
  deps: AccountsDeps,
  auth: Authenticated,
): Promise<{ keys: SshKeyRow[]; bothFactors: boolean }> {
  requireSession(auth);
  const [keys, since] = await Promise.all([
    store.listOfUser(deps.db, auth.user.id),
    store.bothFactorsSince(deps.db, auth.user.id),
  ]);
  return { keys, bothFactors: since !== null };
}

/**
 * Removes one of the user's keys, unless it is the account's last way to sign in; another user's
 * key answers like one that does not exist.
 */
export async function removeSshKey(
  deps: AccountsDeps,
  auth: Authenticated,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  requireSession(auth);
  const gone = () => new AppError('not_found', 'no such SSH key among yours');
  if (!ID_SHAPE.test(id)) throw gone();
  await removeSignInCredential(
    deps,
    auth.user,
    { remove: (trx) => store.removeKey(trx, auth.user.id, id), gone, event: 'ssh_key_removed' },
    meta,
  );
}

/**
 * Whether an SSH-key login stands in for both factors. Turning it on weakens a two-factor account
 * to one thing it has, so it asks for the password (and a code when two-factor sign-in is on),
 * counted against the lockout like any password check; turning it off only strengthens.
 */
export async function setSshKeyPolicy(
  deps: AccountsDeps,
  auth: Authenticated,
  input: { bothFactors: boolean; password: string; code?: string },
  meta: RequestMeta,
): Promise<void> {
  requireSession(auth);
  const { user } = auth;
  if (input.bothFactors) {
    if (user.two_factor_enabled_at !== null && input.code === undefined) {
      throw new AppError(
        'invalid_field',
        'code is required: two-factor sign-in is on, so send a code from your authenticator app',
        { field: 'code' },
      );
    }
    await confirmPassword(deps, user, input.password, meta, {
      failure: 'two_factor_change_failed',
      field: 'password',
      code: user.two_factor_enabled_at !== null ? input.code : undefined,
    });
  }
  const now = deps.clock.now();
  await deps.db.transaction(async (trx) => {
    await store.setBothFactors(trx, user.id, input.bothFactors ? now : null);
    await audit.record(trx, 'ssh_key_policy_changed', user.id, now, meta);
  });
}
