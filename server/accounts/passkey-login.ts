import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
} from '@simplewebauthn/server';
import { AppError } from '../errors.js';
import { PASSKEYS, type PasskeyCredentialJSON } from '../protocol.js';
import * as users from '../store/users.js';
import * as audit from '../store/audit.js';
import * as store from '../store/passkeys.js';
import type { AccountsDeps, RequestMeta } from './index.js';
import { chargedCodes, chargedToAddress, labelsByCode, type AddressCharge } from './charged-to-address.js';
import { endFailureRun, lockedFor, tooManyAttempts, type LoginResult } from './login.js';
import { sessionForSignIn } from './deactivation.js';
import { relyingParty } from './passkey-party.js';
import { newPasskeyChallenge, takeChallenge } from './passkey-challenges.js';

/*
 * Signing in with a passkey, with no name typed: the server hands out a challenge with no
 * credentials listed, the browser lets the person pick one of this site's discoverable passkeys,
 * the authenticator verifies the person (PIN, fingerprint, face) and signs; the credential it
 * names is the account. The signature covers the challenge, the RP id and the page's origin, so
 * it is worth one sign-in, here, once.
 *
 * A passkey sign-in is both factors at once - something the person has (the authenticator's key)
 * and something they are or know (the verification it asks, which the server requires: the UV
 * flag) - so it goes straight to a session, with no code step after it (docs/security.md).
 *
 * Every refusal answers alike (the challenge, an unknown credential, a bad signature), counted
 * against the address's failed logins like a wrong password. It does not count toward the
 * account's lockout: a passkey's signature cannot be guessed, and a stranger who learned a
 * credential id must not be able to lock its owner out by sending bad ones.
 */

const refused = () =>
  new AppError(
    'invalid_credentials',
    'passkey sign-in refused: the passkey is not registered here, the signature does not match, or the challenge expired or was used (start again)',
  );

/** The options the browser passes to navigator.credentials.get(), and the challenge's id. */
export async function passkeyLoginOptions(
  deps: AccountsDeps,
  meta: RequestMeta,
): Promise<{ challengeId: string; options: Record<string, unknown>; expiresAt: number }> {
  const party = relyingParty(deps);
  const options = await generateAuthenticationOptions({
    rpID: party.rpId,
    timeout: PASSKEYS.challengeSeconds * 1000,
    userVerification: 'required',
  });
  const challenge = await newPasskeyChallenge(deps, {
    purpose: 'login',
    userId: null,
    ownerKey: `@${meta.ip ?? 'unknown'}`,
    challenge: options.challenge,
  });
  return { challengeId: challenge.id, options: { ...options }, expiresAt: challenge.expires_at };
}

export async function loginWithPasskey(
  deps: AccountsDeps,
  input: { challengeId: string; credential: PasskeyCredentialJSON },
  meta: RequestMeta,
): Promise<LoginResult> {
  return chargedToAddress(deps, meta, PASSKEY_CHARGE, () => checkPasskeyLogin(deps, input, meta));
}

/** Every refusal of a passkey counts against the address like a wrong password, and a locked account too. */
const PASSKEY_CHARGE: AddressCharge = {
  charged: chargedCodes('invalid_credentials', 'too_many_attempts'),
  label: labelsByCode({ invalid_credentials: 'failed', too_many_attempts: 'locked' }),
};

async function checkPasskeyLogin(
  deps: AccountsDeps,
  input: { challengeId: string; credential: PasskeyCredentialJSON },
  meta: RequestMeta,
): Promise<LoginResult> {
  const { db, clock } = deps;
  const event = (type: audit.AuditType, userId: number | null) =>
    audit.record(db, type, userId, clock.now(), meta);

  const challenge = await takeChallenge(deps, input.challengeId, 'login', null);
  const passkey = await store.findByCredentialId(db, input.credential.id);
  const user = passkey && (await users.findById(db, passkey.user_id));
  if (!challenge || !passkey || !user || user.email_verified_at === null) {
    await event('passkey_login_failed', user?.id ?? null);
    throw refused();
  }
  // A discoverable passkey names its account by the handle stored with it: it must be this one's.
  const handle = (input.credential.response as { userHandle?: unknown }).userHandle;
  const own = await store.webauthnUserIdOf(db, user.id);
  const party = relyingParty(deps);
  let verified;
  try {
    if (handle !== undefined && handle !== own) throw new Error('the user handle names another account');
    verified = await verifyAuthenticationResponse({
      response: input.credential as unknown as AuthenticationResponseJSON,
      expectedChallenge: challenge.challenge,
      expectedOrigin: party.origins,
      expectedRPID: party.rpId,
      credential: {
        id: passkey.credential_id,
        publicKey: Buffer.from(passkey.public_key, 'base64url'),
        counter: passkey.counter,
        transports: JSON.parse(passkey.transports),
      },
      requireUserVerification: true,
    });
  } catch (err) {
    deps.log.debug({ err: (err as Error).message }, 'passkey sign-in refused');
    verified = undefined;
  }
  if (!verified?.verified) {
    await event('passkey_login_failed', user.id);
    throw refused();
  }
  const at = clock.now();
  // Locked by wrong passwords: refused as every other sign-in is until the lock ends.
  const wait = lockedFor(user, at);
  if (wait > 0) {
    await event('login_locked', user.id);
    throw tooManyAttempts(wait);
  }
  await endFailureRun(deps, user);
  const use = verified.authenticationInfo;
  const { token, session } = await sessionForSignIn(deps, user, meta, 'passkey_login', async (trx) => {
    await store.recordUse(trx, passkey.id, {
      counter: use.newCounter,
      deviceType: use.credentialDeviceType,
      backedUp: use.credentialBackedUp,
      at,
    });
    await users.clearFailedLogins(trx, user.id);
  });
  return { token, expiresAt: session.expires_at, user };
}
