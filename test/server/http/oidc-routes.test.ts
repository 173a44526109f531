import { expect } from 'chai';
import { useServer } from '../../helpers/fixture.js';
import { resetCode } from '../../helpers/accounts.js';
import { manualClock } from '../../../server/clock.js';
import { freePort } from '../../helpers/ports.js';
import { providerEntry, startOidcProvider, type TestProvider } from '../../helpers/oidc-provider.js';

/*
 * The provider sign-in routes without a browser: what start hands out (a provider URL with PKCE
 * S256, state and nonce; the binding cookie), how the callback and the ticket refuse what no
 * sign-in gave, an unreachable provider, and the rule that keeps an account's last way in. The
 * whole flow through the provider's pages is test/system/oidc-page.test.ts.
 */
describe('REST: sign-in with an identity provider', function () {
  this.timeout(60_000);
  let idp: TestProvider;
  const t = useServer({
    mail: true,
    env: async () => {
      idp = await startOidcProvider({ port: await freePort(), redirectUris: ['http://127.0.0.1:1/cb'] });
      const dead = `http://127.0.0.1:${await freePort()}`;
      return {
        OIDC_PROVIDERS: JSON.stringify([
          {
            id: 'live',
            name: 'Live <b>ID</b>',
            issuer: idp.issuer,
            clientId: idp.clientId,
            clientSecret: idp.clientSecret,
          },
          { id: 'down', name: 'Down ID', issuer: dead, clientId: 'x', clientSecret: 'never-logged-secret' },
        ]),
      };
    },
  });
  after(() => idp?.close());

  const callback = (path: string, cookie?: string) =>
    fetch(t.url + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });

  it('lists the providers by id and name, in the order of the setting', async () => {
    const res = await t.api('GET', '/api/oidc/providers');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      providers: [
        { id: 'live', name: 'Live <b>ID</b>' },
        { id: 'down', name: 'Down ID' },
      ],
    });
  });

  it('starts with a provider URL (code, PKCE S256, state, nonce) and an HttpOnly binding cookie', async () => {
    const res = await t.api('POST', '/api/oidc/live/start');
    expect(res.status).to.equal(200);
    const url = new URL(res.body.authorization_url);
    expect(url.origin).to.equal(idp.issuer);
    const q = url.searchParams;
    expect(q.get('response_type')).to.equal('code');
    expect(q.get('client_id')).to.equal(idp.clientId);
    expect(q.get('redirect_uri')).to.equal(`${t.url}/api/oidc/live/callback`);
    expect(q.get('code_challenge_method')).to.equal('S256');
    expect(q.get('code_challenge')).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('scope')).to.equal('openid email profile');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).to.match(
      /^mux1_oidc=[A-Za-z0-9_-]{43}; Path=\/api\/oidc; Max-Age=600; HttpOnly; SameSite=Lax$/,
    );
    // Two starts: two states, two verifiers.
    const again = new URL((await t.api('POST', '/api/oidc/live/start')).body.authorization_url);
    expect(again.searchParams.get('state')).to.not.equal(q.get('state'));
    expect(again.searchParams.get('code_challenge')).to.not.equal(q.get('code_challenge'));
    // Only hashes of the state and the binding are stored.
    const rows = await t.db('oidc_flows').select('state_hash', 'binding_hash');
    const stored = JSON.stringify(rows);
    expect(stored).to.not.include(q.get('state')!);
    expect(stored).to.not.include(cookie.split(';')[0]!.split('=')[1]!);
  });

  it('answers 404 for an unknown provider and 502 for one it cannot reach, without the secret', async () => {
    for (const id of ['nosuch', '..%2F..', 'LIVE', 'x'.repeat(300), '%00']) {
      const res = await t.api('POST', `/api/oidc/${id}/start`);
      expect(res.status, id).to.equal(404);
      expect(res.body.code).to.equal('not_found');
    }
    const down = await t.api('POST', '/api/oidc/down/start');
    expect(down.status).to.equal(502);
    expect(down.body).to.include({ code: 'provider_unavailable' });
    expect(down.body.error).to.include('Down ID');
    expect(t.logs.join('\n')).to.not.include('never-logged-secret');
  });

  it('sends a callback no sign-in made back to the page with invalid_oidc_state, never a session', async () => {
    const started = await t.api('POST', '/api/oidc/live/start');
    const state = new URL(started.body.authorization_url).searchParams.get('state')!;
    const cookie = started.headers.get('set-cookie')!.split(';')[0]!;
    const hostile = [
      '/api/oidc/live/callback',
      '/api/oidc/live/callback?code=abc',
      `/api/oidc/live/callback?state=${'A'.repeat(43)}&code=abc`,
      `/api/oidc/live/callback?state=${'s'.repeat(5000)}&code=abc`,
      `/api/oidc/live/callback?state=${state}&state=${state}&code=abc`,
      `/api/oidc/live/callback?state=%00%ff&code=%uD800`,
      // The right state at another provider's callback (mix-up).
      `/api/oidc/down/callback?state=${state}&code=abc`,
    ];
    for (const path of hostile) {
      const res = await callback(path, cookie);
      expect(res.status, path).to.equal(302);
      expect(res.headers.get('location'), path).to.equal('/#oidc-error=invalid_oidc_state');
    }
    // The right state without the browser's cookie (a link sent to someone else).
    const stolen = await callback(`/api/oidc/live/callback?state=${state}&code=abc`);
    expect(stolen.headers.get('location')).to.equal('/#oidc-error=invalid_oidc_state');
    // With the cookie, the state is good but the code is not the provider's: its checks refuse it.
    const forged = await callback(`/api/oidc/live/callback?state=${state}&code=forged`, cookie);
    expect(forged.headers.get('location')).to.equal('/#oidc-error=provider_refused');
    // And the state is spent.
    const reused = await callback(`/api/oidc/live/callback?state=${state}&code=forged`, cookie);
    expect(reused.headers.get('location')).to.equal('/#oidc-error=invalid_oidc_state');
    // A provider's own error answer is refused as such.
    const s2 = await t.api('POST', '/api/oidc/live/start');
    const state2 = new URL(s2.body.authorization_url).searchParams.get('state')!;
    const denied = await callback(
      `/api/oidc/live/callback?state=${state2}&error=access_denied`,
      s2.headers.get('set-cookie')!.split(';')[0],
    );
    expect(denied.headers.get('location')).to.equal('/#oidc-error=provider_refused');
    const sessions = await t.db('sessions').count({ n: '*' }).first();
    expect(Number(sessions?.n), 'no session was made').to.equal(0);
  });

  it('refuses tickets no callback gave, on complete and on the username step', async () => {
    const cookie = 'mux1_oidc=' + 'B'.repeat(43);
    for (const body of [
      { ticket: 'A'.repeat(43) },
      { ticket: 'A'.repeat(42) },
      { ticket: 'A'.repeat(43) + '=' },
      { ticket: 42 },
      {},
    ]) {
      const res = await t.api('POST', '/api/oidc/complete', body, { cookie });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(['invalid_oidc_state', 'invalid_field']).to.include(res.body.code);
    }
    const signup = await t.api(
      'POST',
      '/api/oidc/signup',
      { ticket: 'A'.repeat(43), username: 'ok_name' },
      { cookie },
    );
    expect(signup.body.code).to.equal('invalid_oidc_state');
    const badName = await t.api(
      'POST',
      '/api/oidc/signup',
      { ticket: 'A'.repeat(43), username: 'No Way!' },
      { cookie },
    );
    expect(badName.body).to.include({ code: 'invalid_field', field: 'username' });
  });

  it('keeps the last way in: the only identity of an account without a password stays', async () => {
    const p = await t.loggedInPerson('lastway');
    const user = await t.db('users').where({ username: p.username }).first();
    const other = await t.loggedInPerson('otherway');
    const otherUser = await t.db('users').where({ username: other.username }).first();
    const now = Date.now();
    const identity = (userId: number, subject: string) => ({
      user_id: userId,
      provider: 'live',
      issuer: idp.issuer,
      subject,
      email: null,
      created_at: now,
    });
    await t.db('identities').insert(identity(user.id, 'sub-1'));
    await t.db('identities').insert(identity(otherUser.id, 'sub-other'));
    await t.db('users').where({ id: user.id }).update({ password_unset: true });
    const as = t.as(p.token);
    const listed = await as('GET', '/api/identities');
    expect(listed.body.identities).to.have.length(1);
    expect(listed.body.identities[0]).to.include({
      provider: 'live',
      provider_name: 'Live <b>ID</b>',
      email: null,
    });
    const [mine] = listed.body.identities;
    const theirs = (await t.as(other.token)('GET', '/api/identities')).body.identities[0];

    const last = await as('DELETE', `/api/identities/${mine.id}`);
    expect(last.status).to.equal(409);
    expect(last.body.code).to.equal('last_sign_in_method');
    for (const id of [theirs.id, 0, -1, '1e3', 'abc', '9'.repeat(40), '%00']) {
      const res = await as('DELETE', `/api/identities/${id}`);
      expect(res.status, String(id)).to.equal(404);
    }
    expect((await t.as(other.token)('GET', '/api/identities')).body.identities).to.have.length(1);

    // A second identity: either may go, then the last stays again.
    await t.db('identities').insert(identity(user.id, 'sub-2'));
    expect((await as('DELETE', `/api/identities/${mine.id}`)).status).to.equal(204);
    const [left] = (await as('GET', '/api/identities')).body.identities;
    expect((await as('DELETE', `/api/identities/${left.id}`)).status).to.equal(409);

    // A password set by a reset: now the last identity may go too.
    const code = await resetCode(t, t.mail, p.email);
    const reset = await t.api('POST', '/api/password/reset', {
      email: p.email,
      code,
      password: 'a brand new pass 77',
    });
    expect(reset.status, JSON.stringify(reset.body)).to.equal(200);
    const relogin = await t.logIn(p.username, 'a brand new pass 77');
    expect((await t.as(relogin.body.token)('DELETE', `/api/identities/${left.id}`)).status).to.equal(204);
  });
});

describe('REST: a provider sign-in lives 10 minutes', function () {
  this.timeout(60_000);
  let idp: TestProvider;
  const clock = manualClock(Date.now());
  const t = useServer({
    overrides: { clock },
    env: async () => {
      idp = await startOidcProvider({ port: await freePort(), redirectUris: ['http://127.0.0.1:1/cb'] });
      return {
        OIDC_PROVIDERS: JSON.stringify([providerEntry(idp, 'live', 'Live')]),
      };
    },
  });
  after(() => idp?.close());

  async function callbackAfter(ms: number): Promise<string | null> {
    const started = await t.api('POST', '/api/oidc/live/start');
    const state = new URL(started.body.authorization_url).searchParams.get('state')!;
    clock.advance(ms);
    const res = await fetch(`${t.url}/api/oidc/live/callback?state=${state}&code=not-the-providers`, {
      redirect: 'manual',
      headers: { cookie: started.headers.get('set-cookie')!.split(';')[0]! },
    });
    return res.headers.get('location');
  }

  it('takes the state until its 10 minutes are up, then refuses it', async () => {
    // Within the window the state is good: the (forged) code is what the provider's checks refuse.
    expect(await callbackAfter(10 * 60_000 - 1)).to.equal('/#oidc-error=provider_refused');
    expect(await callbackAfter(10 * 60_000)).to.equal('/#oidc-error=invalid_oidc_state');
  });
});
