import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { githubProvider, type GithubEndpoints } from '../../../server/accounts/identity-providers.js';
import { createLogger } from '../../../server/log.js';

/*
 * The GitHub preset (OAuth 2 without OpenID Connect) against a stand-in for GitHub's endpoints on
 * loopback, since GitHub itself is out of reach: the stand-in checks what GitHub checks (client
 * credentials, the code, the PKCE verifier against the challenge) and answers in GitHub's shapes.
 */
describe('identity providers: the GitHub preset', () => {
  let server: Server;
  let endpoints: GithubEndpoints;
  let emails: unknown = [];
  let userStatus = 200;
  const challenges = new Map<string, string>();
  const setting = {
    id: 'github',
    name: 'GitHub',
    preset: 'github' as const,
    clientId: 'Iv1.test',
    clientSecret: 'gh-secret',
  };
  const log = createLogger('silent');

  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => resolve(text));
    });

  before(async () => {
    server = createServer(async (req, res) => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/login/oauth/access_token' && req.method === 'POST') {
        const form = new URLSearchParams(await body(req));
        const challenge = challenges.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const hashed = createHash('sha256').update(verifier).digest('base64url');
        if (form.get('client_id') !== 'Iv1.test' || form.get('client_secret') !== 'gh-secret')
          return json(401, { error: 'incorrect_client_credentials' });
        if (!challenge || hashed !== challenge) return json(400, { error: 'bad_verification_code' });
        return json(200, { access_token: 'gho_token', token_type: 'bearer', scope: 'read:user,user:email' });
      }
      if (req.headers.authorization !== 'Bearer gho_token') return json(401, { message: 'Bad credentials' });
      if (req.url === '/user') return json(userStatus, { id: 583231, login: 'octocat' });
      if (req.url === '/user/emails') return json(200, emails);
      json(404, {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    endpoints = {
      issuer: 'https://github.com',
      authorizationEndpoint: `${base}/login/oauth/authorize`,
      tokenEndpoint: `${base}/login/oauth/access_token`,
      userEndpoint: `${base}/user`,
      emailsEndpoint: `${base}/user/emails`,
    };
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    userStatus = 200;
  });

  /** A sign-in up to GitHub's redirect back with `code`; the stand-in learns the challenge. */
  async function signIn(options: { verifier?: string; state?: string } = {}) {
    const github = githubProvider(setting, log, endpoints);
    const secrets = {
      redirectUri: 'https://chat.example/api/oidc/github/callback',
      state: 's'.repeat(43),
      nonce: 'n',
      codeVerifier: 'v'.repeat(43),
    };
    const url = new URL(await github.authorizationUrl(secrets));
    expect(url.searchParams.get('scope')).to.equal('read:user user:email');
    expect(url.searchParams.get('code_challenge_method')).to.equal('S256');
    expect(url.searchParams.get('state')).to.equal(secrets.state);
    challenges.set('the-code', url.searchParams.get('code_challenge')!);
    const query = `code=the-code&state=${options.state ?? secrets.state}`;
    return github.identify(query, { ...secrets, codeVerifier: options.verifier ?? secrets.codeVerifier });
  }

  it('signs in with GitHub user id as subject and the primary verified email', async () => {
    emails = [
      { email: 'old@example.test', primary: false, verified: true },
      { email: 'Octo@Example.test', primary: true, verified: true },
    ];
    expect(await signIn()).to.deep.equal({
      issuer: 'https://github.com',
      subject: '583231',
      email: 'octo@example.test',
      suggestedUsername: 'octocat',
    });
  });

  it('vouches for no email when the primary one is not verified', async () => {
    emails = [
      { email: 'octo@example.test', primary: true, verified: false },
      { email: 'other@example.test', primary: false, verified: true },
    ];
    expect((await signIn()).email).to.equal(null);
    emails = { message: 'not a list' };
    await signIn().then(
      () => expect.fail('accepted'),
      (err) => expect(err.code).to.equal('provider_unavailable'),
    );
  });

  it('refuses a wrong state and a verifier that does not match the challenge', async () => {
    emails = [];
    for (const options of [{ state: 'tampered' }, { verifier: 'w'.repeat(43) }]) {
      await signIn(options).then(
        () => expect.fail(`accepted ${JSON.stringify(options)}`),
        (err) => expect(err.code, JSON.stringify(options)).to.equal('provider_refused'),
      );
    }
  });

  it('answers provider_unavailable when GitHub’s API fails', async () => {
    userStatus = 500;
    await signIn().then(
      () => expect.fail('accepted'),
      (err) => expect(err.code).to.equal('provider_unavailable'),
    );
  });
});
