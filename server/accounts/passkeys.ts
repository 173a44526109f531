import { randomBytes } from 'node:crypto';
import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AppError } from '../errors.js';
import { PASSKEYS, type PasskeyCredentialJSON } from '../protocol.js';
import * as store from '../store/passkeys.js';
import * as audit from '../store/audit.js';
import type { PasskeyRow } from '../store/passkeys.js';
import { passkeyAddedMail } from '../mail/templates.js';
import type { AccountsDeps, RequestMeta } from './index.js';
import { callerOf, checkAccess } from './access.js';
import { relyingParty } from './passkey-party.js';
import { newPasskeyChallenge, takeChallenge } from './passkey-challenges.js';
import { addSignInCredential, removeSignInCredential } from './sign-in-credentials.js';
import type { Authenticated } from './sessions.js';

/*
 * The passkeys a person signs in with in the page (passkey-login.ts): registered, listed, renamed
 * and removed by a signed-in person, never by a token, so a leaked token cannot plant a way in.
 * Registering asks the authenticator for a discoverable credential with user verification, so
 * the passkey alone later names the account and proves the person (docs/security.md "Passkeys").
 * Adding one mails the owner.
 */

const requireSession = (auth: Authenticated) => checkAccess(callerOf(auth), 'session');

const ID_SHAPE = /^pk_[0-9a-f]{32}$/;
const newPasskeyId = (): string => `pk_${randomBytes(16).toString('hex')}`;

const tooMany = () =>
  new AppError(
    'too_many_passkeys',
    `you already have ${PASSKEYS.maxPerUser} passkeys: remove one you no longer use first`,
  );

const refused = () =>
  new AppError(
    'invalid_field',
    'the passkey could not be verified: it was made for another site, its challenge expired or was used, or the authenticator did not verify you (start again)',
    { field: 'credential' },
  );

/** The options the browser passes to navigator.credentials.create(), and the challenge's id. */
export async function passkeyRegistrationOptions(
  deps: AccountsDeps,
  auth: Authenticated,
): Promise<{ challengeId: string; options: Record<string, unknown>; expiresAt: number }> {
  requireSession(auth);
  const { user } = auth;
  const existing = await store.listOfUser(deps.db, user.id);
  if (existing.length >= PASSKEYS.maxPerUser) throw tooMany();
  const handle = await store.ensureWebauthnUserId(deps.db, user.id, randomBytes(32).toString('base64url'));
  const party = relyingParty(deps);
  const options = await generateRegistrationOptions({
    rpName: party.name,
    rpID: party.rpId,
    userName: user.username,
    userDisplayName: user.username,
    userID: Buffer.from(handle, 'base64url'),
    timeout: PASSKEYS.challengeSeconds * 1000,
    attestationType: 'none',
    // An authenticator holding one of these says so instead of making a second passkey.
    excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: JSON.parse(p.transports) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  const challenge = await newPasskeyChallenge(deps, {
    purpose: 'register',
    userId: user.id,
    ownerKey: `#${user.id}`,
    challenge: options.challenge,
  });
  return { challengeId: challenge.id, options: { ...options }, expiresAt: challenge.expires_at };
}

/**
 * Checks the browser's new credential against a registration challenge of this user, made for
 * this RP id and origin with user verification, and stores it: not registered anywhere yet,
 * within the user's limit.
 */
export async function registerPasskey(
  deps: AccountsDeps,
  auth: Authenticated,
  input: { challengeId: string; credential: PasskeyCredentialJSON; name?: string },
  meta: RequestMeta,
): Promise<PasskeyRow> {
  requireSession(auth);
  const { user } = auth;
  const challenge = await takeChallenge(deps, input.challengeId, 'register', user.id);
  if (!challenge) throw refused();
  const party = relyingParty(deps);
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: input.credential as unknown as RegistrationResponseJSON,
      expectedChallenge: challenge.challenge,
      expectedOrigin: party.origins,
      expectedRPID: party.rpId,
      requireUserVerification: true,
    });
  } catch (err) {
    deps.log.debug({ err: (err as Error).message }, 'passkey registration refused');
    throw refused();
  }
  if (!verified.verified) throw refused();
  const info = verified.registrationInfo;
  const now = deps.clock.now();
  const row: PasskeyRow = {
    id: newPasskeyId(),
    user_id: user.id,
    name: input.name ?? 'Passkey',
    credential_id: info.credential.id,
    public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
    counter: info.credential.counter,
    transports: JSON.stringify((info.credential.transports ?? []).slice(0, 8)),
    device_type: info.credentialDeviceType,
    backed_up: info.credentialBackedUp,
    created_at: now,
    last_used_at: null,
  };
  await addSignInCredential(
    deps,
    user,
    {
      maxPerUser: PASSKEYS.maxPerUser,
      countOfUser: store.countOfUser,
      tooMany,
      registered: async (db) => (await store.findByCredentialId(db, row.credential_id)) !== undefined,
      taken: () =>
        new AppError('passkey_taken', 'this passkey is registered already', { field: 'credential' }),
      insert: (trx) => store.insertPasskey(trx, row),
      at: now,
      mail: (recipient) => passkeyAddedMail(deps.mail, recipient, { name: row.name, at: now, ip: meta.ip }),
      event: 'passkey_added',
    },
    meta,
  );
  return row;
}

export async function listPasskeys(deps: AccountsDeps, auth: Authenticated): Promise<PasskeyRow[]> {
  requireSession(auth);
  return store.listOfUser(deps.db, auth.user.id);
}

const gone = () => new AppError('not_found', 'no such passkey among yours');

/** Renames one of the user's passkeys; another user's answers like one that does not exist. */
export async function renamePasskey(
  deps: AccountsDeps,
  auth: Authenticated,
  input: { id: string; name: string },
  meta: RequestMeta,
): Promise<PasskeyRow> {
  requireSession(auth);
  if (!ID_SHAPE.test(input.id)) throw gone();
  const now = deps.clock.now();
  return deps.db.transaction(async (trx) => {
    const row = await store.renamePasskey(trx, auth.user.id, input.id, input.name);
    if (!row) throw gone();
    await audit.record(trx, 'passkey_renamed', auth.user.id, now, meta);
    return row;
  });
}

/**
 * Removes one of the user's passkeys, unless it is the account's last way to sign in; sessions it
 * made stay (they end on their own terms).
 */
export async function removePasskey(
  deps: AccountsDeps,
  auth: Authenticated,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  requireSession(auth);
  if (!ID_SHAPE.test(id)) throw gone();
  await removeSignInCredential(
    deps,
    auth.user,
    { remove: (trx) => store.removePasskey(trx, auth.user.id, id), gone, event: 'passkey_removed' },
    meta,
  );
}
