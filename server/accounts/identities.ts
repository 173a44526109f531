import { hash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import { isLostRace, isUniqueViolation } from '../store/db.js';
import * as store from '../store/identities.js';
import * as users from '../store/users.js';
import * as audit from '../store/audit.js';
import type { UserRow } from '../store/users.js';
import type { Language } from '../../i18n/index.js';
import type { AccountsDeps, RequestMeta } from './index.js';
import type { Authenticated } from './sessions.js';
import { refuseDisabled, sessionForSignIn } from './deactivation.js';
import type { LoginResult } from './login.js';
import { startSecondStep, type SecondStepRequired } from './two-factor-login.js';
import { removeUnverified } from './signup.js';
import { removeSignInCredential } from './sign-in-credentials.js';
import { createIdentityProviders, type IdentityProvider } from './identity-providers.js';

/*
 * Sign-in with an identity provider, in three steps:
 * 1. start: a random state, nonce and PKCE verifier are kept server-side (hashed state) with the
 *    hash of a random binding the browser holds in an HttpOnly cookie; the browser goes to the
 *    provider.
 * 2. callback: the provider sends the browser back; the state must be known, unused, unexpired,
 *    for this provider and bound to this browser's cookie, and the answer must pass
 *    openid-client's checks (identity-providers.ts). The outcome is kept under a one-time ticket
 *    that travels to the page in the URL fragment (never to a server log or a Referer).
 * 3. complete: the page trades the ticket (with the same cookie) for a session, a username step,
 *    or a sentence.
 * An identity is its issuer and subject. An email is never enough to reach an existing account:
 * its owner signs in and links the identity from settings (purpose `link`). Two-factor sign-in
 * still asks for the code after a provider vouched for the person (docs/security.md).
 */

/** Minutes a started sign-in, and the ticket it leads to, stay usable. */
export const FLOW_MINUTES = 10;

const sha256 = (value: string): string => hash('sha256', value, 'hex');
const random = () => randomBytes(32).toString('base64url');

const providersByConfig = new WeakMap<object, Map<string, IdentityProvider>>();

function providers(deps: AccountsDeps): Map<string, IdentityProvider> {
  let found = providersByConfig.get(deps.config);
  if (!found) {
    found = createIdentityProviders(deps.config.oidcProviders, deps.log);
    providersByConfig.set(deps.config, found);
  }
  return found;
}

function providerOf(deps: AccountsDeps, id: string): IdentityProvider {
  const provider = providers(deps).get(id);
  if (!provider) throw new AppError('not_found', 'no identity provider by that name on this server');
  return provider;
}

const nameOf = (deps: AccountsDeps, id: string) => providers(deps).get(id)?.name ?? id;

/** Where a provider sends the browser back: registered with the provider as is. */
export const redirectUriOf = (deps: AccountsDeps, providerId: string): string =>
  `${deps.mail.publicUrl.replace(/\/+$/, '')}/api/oidc/${providerId}/callback`;

export function listProviders(deps: AccountsDeps): { id: string; name: string }[] {
  return [...providers(deps).values()].map(({ id, name }) => ({ id, name }));
}

const invalidFlow = () =>
  new AppError(
    'invalid_oidc_state',
    'this sign-in is unknown, expired, already used or was started in another browser; start it again',
  );

export interface StartedFlow {
  authorizationUrl: string;
  /** The random value for the browser's HttpOnly cookie; only its hash is kept. */
  binding: string;
}

/** Step 1, for signing in (`user` undefined) or for linking to the signed-in user. */
export async function startIdentityFlow(
  deps: AccountsDeps,
  providerId: string,
  auth: Authenticated | undefined,
): Promise<StartedFlow> {
  const provider = providerOf(deps, providerId);
  const now = deps.clock.now();
  const secrets = {
    redirectUri: redirectUriOf(deps, provider.id),
    state: random(),
    nonce: random(),
    codeVerifier: random(),
  };
  const authorizationUrl = await provider.authorizationUrl(secrets);
  const binding = random();
  await store.insertFlow(deps.db, {
    state_hash: sha256(secrets.state),
    provider: provider.id,
    binding_hash: sha256(binding),
    code_verifier: secrets.codeVerifier,
    nonce: secrets.nonce,
    purpose: auth ? 'link' : 'signin',
    user_id: auth ? auth.user.id : null,
    created_at: now,
    expires_at: now + FLOW_MINUTES * 60_000,
  });
  return { authorizationUrl, binding };
}

/** Step 2: the provider's answer; returns the ticket for the page. */
export async function finishIdentityFlow(
  deps: AccountsDeps,
  input: { providerId: string; query: string; binding: string | undefined },
  meta: RequestMeta,
): Promise<string> {
  const provider = providerOf(deps, input.providerId);
  const params = new URLSearchParams(input.query);
  // One state, once: a repeated parameter is no answer of a provider.
  const states = params.getAll('state');
  const state = states.length === 1 ? states[0] : undefined;
  if (!state || state.length > 200 || !input.binding) throw invalidFlow();
  const stateHash = sha256(state);
  const flow = await store.findFlowByState(deps.db, stateHash);
  const now = deps.clock.now();
  if (
    !flow ||
    flow.provider !== provider.id ||
    flow.expires_at <= now ||
    flow.binding_hash !== sha256(input.binding) ||
    !(await store.useState(deps.db, stateHash, now))
  ) {
    await audit.record(deps.db, 'identity_refused', null, now, meta);
    throw invalidFlow();
  }
  if (params.has('error')) {
    throw new AppError(
      'provider_refused',
      `${provider.name} did not sign you in (${params.get('error')!.slice(0, 60)})`,
    );
  }
  let identity;
  try {
    identity = await provider.identify(input.query, {
      redirectUri: redirectUriOf(deps, provider.id),
      state,
      nonce: flow.nonce,
      codeVerifier: flow.code_verifier,
    });
  } catch (err) {
    await audit.record(deps.db, 'identity_refused', flow.user_id, deps.clock.now(), meta);
    throw err;
  }
  const known = await store.findIdentity(deps.db, identity.issuer, identity.subject);
  let outcome: store.FlowOutcome;
  let userId: number | null = null;
  if (flow.purpose === 'link') {
    if (known && known.user_id !== flow.user_id) {
      throw new AppError('identity_in_use', `that ${provider.name} account is linked to another account`);
    }
    if (!known) {
      await store.insertIdentity(deps.db, {
        user_id: flow.user_id!,
        provider: provider.id,
        issuer: identity.issuer,
        subject: identity.subject,
        email: identity.email,
        created_at: now,
      });
      await audit.record(deps.db, 'identity_linked', flow.user_id, now, meta);
    }
    outcome = 'linked';
    userId = flow.user_id;
  } else if (known) {
    outcome = 'signin';
    userId = known.user_id;
  } else if (identity.email === null) {
    outcome = 'no_verified_email';
  } else {
    const owner = await users.findByEmail(deps.db, identity.email);
    outcome = owner && owner.email_verified_at !== null ? 'email_taken' : 'signup';
  }
  const ticket = random();
  await store.recordOutcome(deps.db, stateHash, {
    ticket_hash: sha256(ticket),
    outcome,
    outcome_user_id: userId,
    issuer: identity.issuer,
    subject: identity.subject,
    email: identity.email,
  });
  return ticket;
}

export type CompletedFlow =
  | { kind: 'session'; result: LoginResult }
  | { kind: 'second_step'; result: SecondStepRequired }
  | { kind: 'signup'; provider: string; email: string }
  | { kind: 'email_taken'; provider: string; email: string }
  | { kind: 'no_verified_email'; provider: string }
  | { kind: 'linked'; provider: string };

async function flowOfTicket(deps: AccountsDeps, ticket: string, binding: string | undefined) {
  if (!binding) throw invalidFlow();
  const flow = await store.findFlowByTicket(deps.db, sha256(ticket));
  if (
    !flow ||
    flow.outcome === null ||
    flow.ticket_used_at !== null ||
    flow.expires_at <= deps.clock.now() ||
    flow.binding_hash !== sha256(binding)
  ) {
    throw invalidFlow();
  }
  return flow;
}

async function claimTicket(deps: AccountsDeps, ticket: string): Promise<void> {
  if (!(await store.useTicket(deps.db, sha256(ticket), deps.clock.now()))) throw invalidFlow();
}

/** Signs a user in after a provider vouched for them: the second factor first, when it is on. */
async function signIn(deps: AccountsDeps, user: UserRow, meta: RequestMeta): Promise<CompletedFlow> {
  const second = await startSecondStep(deps, user, meta);
  if (second) return { kind: 'second_step', result: second };
  const { token, session } = await sessionForSignIn(deps, user, meta, 'login_with_identity');
  deps.metrics.login('ok');
  return { kind: 'session', result: { token, expiresAt: session.expires_at, user } };
}

/** Step 3: what the provider's answer leads to. A signup's ticket stays for the username step. */
export async function completeIdentityFlow(
  deps: AccountsDeps,
  input: { ticket: string; binding: string | undefined },
  meta: RequestMeta,
): Promise<CompletedFlow> {
  const flow = await flowOfTicket(deps, input.ticket, input.binding);
  const provider = nameOf(deps, flow.provider);
  if (flow.outcome === 'signup') return { kind: 'signup', provider, email: flow.email! };
  await claimTicket(deps, input.ticket);
  switch (flow.outcome) {
    case 'signin': {
      const user = await users.findById(deps.db, flow.outcome_user_id!);
      const identity = await store.findIdentity(deps.db, flow.issuer!, flow.subject!);
      // Unlinked or the account deleted between the callback and now.
      if (!user || !identity || identity.user_id !== user.id) throw invalidFlow();
      // Said before the second step, as after a right password: a disabled account gets no
      // mfa_token to try codes with, and its identity is not marked used.
      refuseDisabled(user);
      await store.touchIdentity(deps.db, identity.id, deps.clock.now());
      return signIn(deps, user, meta);
    }
    case 'email_taken':
      return { kind: 'email_taken', provider, email: flow.email! };
    case 'linked':
      return { kind: 'linked', provider };
    default:
      return { kind: 'no_verified_email', provider };
  }
}

/** The username step of a new account made through a provider; the ticket is spent on success. */
export async function signupWithIdentity(
  deps: AccountsDeps,
  input: { ticket: string; binding: string | undefined; username: string; locale?: Language | null },
  meta: RequestMeta,
): Promise<CompletedFlow> {
  const flow = await flowOfTicket(deps, input.ticket, input.binding);
  if (flow.outcome !== 'signup') throw invalidFlow();
  const email = flow.email!;
  // Nobody knows this password: the account signs in through its provider until a reset sets one.
  const unusable = await deps.hasher.hash(random(), await deps.limits.kdf(meta.ip));
  const work = async (trx: Knex.Transaction): Promise<number> => {
    const now = deps.clock.now();
    const byName = await users.findByUsername(trx, input.username);
    if (byName) throw new AppError('username_taken', 'that username is taken', { field: 'username' });
    const existing = await users.findByEmail(trx, email);
    if (existing && existing.email_verified_at !== null) {
      throw new AppError(
        'email_in_use',
        'an account already has this email: sign in to it and link the provider from its settings',
      );
    }
    // An unverified signup with this address proved nothing; the provider verified it.
    if (existing) await removeUnverified(trx, existing.id);
    if (await store.findIdentity(trx, flow.issuer!, flow.subject!)) throw invalidFlow();
    if (!(await store.useTicket(trx, sha256(input.ticket), now))) throw invalidFlow();
    const userId = await users.insertUser(trx, {
      username: input.username,
      email,
      password_hash: unusable,
      created_at: now,
      // The language the browser that finished the sign-in asked for, for the account's mails.
      locale: input.locale ?? null,
    });
    await users.markVerified(trx, userId, now);
    await store.markPasswordUnset(trx, userId);
    await store.insertIdentity(trx, {
      user_id: userId,
      provider: flow.provider,
      issuer: flow.issuer!,
      subject: flow.subject!,
      email,
      created_at: now,
    });
    await audit.record(trx, 'signup_with_identity', userId, now, meta);
    return userId;
  };
  let userId: number;
  try {
    userId = await deps.db.transaction(work);
  } catch (err) {
    // Two tabs racing for one username or one ticket: the loser's insert fails on a unique index.
    if (isUniqueViolation(err) || isLostRace(err)) {
      throw new AppError('username_taken', 'that username is taken', { field: 'username' });
    }
    throw err;
  }
  deps.metrics.signup('created');
  const user = await users.findById(deps.db, userId);
  return signIn(deps, user!, meta);
}

export async function listIdentities(deps: AccountsDeps, auth: Authenticated) {
  const rows = await store.listIdentities(deps.db, auth.user.id);
  return rows.map((row) => ({ ...row, providerName: nameOf(deps, row.provider) }));
}

/** Removes a linked identity, unless it is the account's last way to sign in. */
export async function unlinkIdentity(
  deps: AccountsDeps,
  auth: Authenticated,
  id: number,
  meta: RequestMeta,
): Promise<void> {
  await removeSignInCredential(
    deps,
    auth.user,
    {
      remove: async (trx) => (await store.deleteIdentity(trx, auth.user.id, id)) > 0,
      gone: () => new AppError('not_found', 'no linked identity by that id on your account'),
      event: 'identity_unlinked',
    },
    meta,
  );
}
