import * as oidc from 'openid-client';
import { GITHUB_PRESET, type OidcProviderSetting } from '../../config/index.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';

/*
 * The identity providers of OIDC_PROVIDERS, spoken to through openid-client: discovery, the
 * authorization URL (code flow with PKCE S256, state and nonce), and the checks of the answer
 * (state, the code exchange with the verifier, the ID token's signature, issuer, audience,
 * expiry and nonce). GitHub has no ID token: its preset trades the code (PKCE and state checked
 * the same way) and reads the user and its primary verified email from GitHub's API.
 */

/** What a provider vouched for, once its answer passed every check. */
export interface ProviderIdentity {
  issuer: string;
  subject: string;
  /** Only an email the provider says it verified; null otherwise. */
  email: string | null;
  /** A username to offer on the page step (the provider's preferred name), or null. */
  suggestedUsername: string | null;
}

export interface FlowSecrets {
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface IdentityProvider {
  id: string;
  name: string;
  authorizationUrl(secrets: FlowSecrets): Promise<string>;
  /**
   * Checks the provider's answer: `query` is the callback's query string as the browser brought
   * it back, put on the redirect URI this server registered (never on the request's Host).
   */
  identify(query: string, secrets: FlowSecrets): Promise<ProviderIdentity>;
}

/** Seconds any one request to a provider may take. */
const PROVIDER_TIMEOUT_S = 10;

const unavailable = (name: string) =>
  new AppError('provider_unavailable', `${name} cannot be reached right now; try again later`);

const refused = () =>
  new AppError(
    'provider_refused',
    'the identity provider’s answer did not pass its checks; start the sign-in again',
  );

const callbackUrl = (redirectUri: string, query: string): URL => {
  const url = new URL(redirectUri);
  url.search = query;
  return url;
};

const isLoopbackHttp = (url: string) => new URL(url).protocol === 'http:';

function oidcProvider(setting: OidcProviderSetting & { issuer: string }, log: Logger): IdentityProvider {
  let discovered: Promise<oidc.Configuration> | undefined;
  // Discovered once and kept; a failed discovery is forgotten so the next sign-in tries again.
  const configuration = () => {
    discovered ??= oidc
      .discovery(new URL(setting.issuer), setting.clientId, setting.clientSecret, undefined, {
        timeout: PROVIDER_TIMEOUT_S,
        // http is accepted for a loopback issuer only (config/oidc-providers.ts).
        execute: isLoopbackHttp(setting.issuer) ? [oidc.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        discovered = undefined;
        log.warn({ provider: setting.id, err: String(err) }, 'identity provider discovery failed');
        throw unavailable(setting.name);
      });
    return discovered;
  };
  return {
    id: setting.id,
    name: setting.name,
    async authorizationUrl({ redirectUri, state, nonce, codeVerifier }) {
      const config = await configuration();
      return oidc
        .buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid email profile',
          code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        })
        .toString();
    },
    async identify(query, { redirectUri, state, nonce, codeVerifier }) {
      const config = await configuration();
      let claims: oidc.IDToken | undefined;
      let accessToken: string;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, callbackUrl(redirectUri, query), {
          pkceCodeVerifier: codeVerifier,
          expectedState: state,
          expectedNonce: nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
        accessToken = tokens.access_token;
      } catch (err) {
        log.info({ provider: setting.id, err: String(err) }, 'identity provider answer refused');
        throw refused();
      }
      if (!claims) throw refused();
      let email = typeof claims.email === 'string' ? claims.email : undefined;
      let verified = claims.email_verified === true;
      let preferred = claims.preferred_username;
      // Providers may keep the email out of the ID token and answer it at userinfo instead.
      if (email === undefined) {
        try {
          const info = await oidc.fetchUserInfo(config, accessToken, claims.sub);
          email = typeof info.email === 'string' ? info.email : undefined;
          verified = info.email_verified === true;
          preferred ??= info.preferred_username;
        } catch (err) {
          log.info({ provider: setting.id, err: String(err) }, 'identity provider userinfo failed');
        }
      }
      return {
        issuer: config.serverMetadata().issuer,
        subject: claims.sub,
        email: email !== undefined && verified ? email.trim().toLowerCase() : null,
        suggestedUsername: typeof preferred === 'string' ? preferred : null,
      };
    },
  };
}

/** GitHub's endpoints; a test hands in a stand-in's (GitHub itself is not reachable from tests). */
export type GithubEndpoints = { [K in keyof typeof GITHUB_PRESET]: string };

export function githubProvider(
  setting: OidcProviderSetting,
  log: Logger,
  endpoints: GithubEndpoints = GITHUB_PRESET,
): IdentityProvider {
  const config = new oidc.Configuration(
    {
      issuer: endpoints.issuer,
      authorization_endpoint: endpoints.authorizationEndpoint,
      token_endpoint: endpoints.tokenEndpoint,
    },
    setting.clientId,
    setting.clientSecret,
  );
  config.timeout = PROVIDER_TIMEOUT_S;
  if (new URL(endpoints.tokenEndpoint).protocol === 'http:') oidc.allowInsecureRequests(config);
  const getJson = async (token: string, url: string): Promise<unknown> => {
    const res = await oidc.fetchProtectedResource(
      config,
      token,
      new URL(url),
      'GET',
      undefined,
      new Headers({ Accept: 'application/vnd.github+json' }),
    );
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return res.json();
  };
  return {
    id: setting.id,
    name: setting.name,
    async authorizationUrl({ redirectUri, state, codeVerifier }) {
      return oidc
        .buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'read:user user:email',
          code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
          code_challenge_method: 'S256',
          state,
        })
        .toString();
    },
    async identify(query, { redirectUri, state, codeVerifier }) {
      let accessToken: string;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, callbackUrl(redirectUri, query), {
          pkceCodeVerifier: codeVerifier,
          expectedState: state,
        });
        accessToken = tokens.access_token;
      } catch (err) {
        log.info({ provider: setting.id, err: String(err) }, 'GitHub answer refused');
        throw refused();
      }
      try {
        const user = (await getJson(accessToken, endpoints.userEndpoint)) as {
          id?: unknown;
          login?: unknown;
        };
        const emails = (await getJson(accessToken, endpoints.emailsEndpoint)) as unknown;
        if (typeof user.id !== 'number' || !Array.isArray(emails)) throw new Error('unexpected shape');
        const primary = (emails as { email?: unknown; primary?: unknown; verified?: unknown }[]).find(
          (e) => e.primary === true && e.verified === true && typeof e.email === 'string',
        );
        return {
          issuer: endpoints.issuer,
          subject: String(user.id),
          email: primary ? String(primary.email).trim().toLowerCase() : null,
          suggestedUsername: typeof user.login === 'string' ? user.login : null,
        };
      } catch (err) {
        log.warn({ provider: setting.id, err: String(err) }, 'GitHub API failed');
        throw unavailable(setting.name);
      }
    },
  };
}

/** Every configured provider by id, in the order of the setting. */
export function createIdentityProviders(
  settings: OidcProviderSetting[],
  log: Logger,
): Map<string, IdentityProvider> {
  const providers = new Map<string, IdentityProvider>();
  for (const s of settings) {
    providers.set(
      s.id,
      s.preset === 'github' ? githubProvider(s, log) : oidcProvider({ ...s, issuer: s.issuer! }, log),
    );
  }
  return providers;
}
