import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error oidc-provider ships no type declarations; the test uses a handful of its calls.
import Provider from 'oidc-provider';

/*
 * A real OpenID Connect provider for tests (the `oidc-provider` package, as identity services
 * run it), on loopback: discovery, its own login and consent pages (devInteractions: any login
 * and password; the login is the subject), authorization code with PKCE, signed ID tokens,
 * userinfo. `people` says what each login's email is and whether the provider verified it.
 */

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Email claims per login; a login not listed gets LOGIN@example.test, verified. */
  people: Map<string, { email?: string; verified?: boolean }>;
  close(): Promise<void>;
}

export async function startOidcProvider(options: {
  port: number;
  redirectUris: string[];
}): Promise<TestProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const people = new Map<string, { email?: string; verified?: boolean }>();
  const clientId = 'mux1-test';
  const clientSecret = 'a-test-client-secret-of-enough-length';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    // Its own signing key per start: the ID tokens the tests get are signed by a key made here.
    jwks: {
      keys: [
        {
          ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
          kid: 'test',
          alg: 'RS256',
          use: 'sig',
        },
      ],
    },
    // Set, not left to its defaults, which print a notice each on first use (seconds).
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    cookies: { keys: ['a-cookie-key-for-the-test-provider-only'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, sub: string) {
      return {
        accountId: sub,
        async claims() {
          const who = people.get(sub) ?? {};
          const email = who.email === undefined ? `${sub}@example.test` : who.email;
          return {
            sub,
            preferred_username: sub,
            ...(email ? { email, email_verified: who.verified ?? true } : {}),
          };
        },
      };
    },
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  if (port !== options.port) throw new Error('the test provider did not get its port');
  return {
    issuer,
    clientId,
    clientSecret,
    people,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One entry of OIDC_PROVIDERS for this provider, as a server under test is configured with it. */
export function providerEntry(idp: TestProvider, id = 'testid', name = 'Test ID') {
  return { id, name, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret };
}
