import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { bearer } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

const DAY = 86_400_000;

describe('GET /api/me and POST /api/logout: bearer sessions', () => {
  const clock = manualClock();
  const t = useServer({ mail: true, overrides: { clock } });

  const me = (headers: Record<string, string> = {}) => t.api('GET', '/api/me', undefined, headers);
  const logout = (headers: Record<string, string> = {}) => t.api('POST', '/api/logout', undefined, headers);

  it('GET /api/me answers the signed-in user with created_at', async () => {
    const p = await t.loggedInPerson('me');
    const res = await me(bearer(p.token));
    expect(res.status).to.equal(200);
    expect(res.body.user).to.have.all.keys('id', 'username', 'email', 'created_at', 'two_factor', 'locale');
    expect(res.body.user.two_factor).to.equal(false);
    expect(res.body.user).to.deep.include({ username: p.username, email: p.email });
    expect(res.body.user.id).to.be.a('number');
    expect(res.body.user.created_at).to.equal(new Date(clock.now()).toISOString());
  });

  it('logout answers 204, after which the token is dead for /me and for logout', async () => {
    const p = await t.loggedInPerson('out');
    const res = await logout(bearer(p.token));
    expect(res.status).to.equal(204);
    expect(res.body).to.equal(undefined);
    expectError(await me(bearer(p.token)), 401, 'unauthorized');
    expectError(await logout(bearer(p.token)), 401, 'unauthorized');
  });

  it('logout ends only that session', async () => {
    const p = await t.loggedInPerson('two');
    const other = (await t.logIn(p.username, p.password)).body.token;
    expect((await logout(bearer(p.token))).status).to.equal(204);
    expect((await me(bearer(other))).status).to.equal(200);
  });

  it('accepts the scheme name in any case', async () => {
    const p = await t.loggedInPerson('scheme');
    expect((await me({ authorization: `bearer ${p.token}` })).status).to.equal(200);
  });

  describe('refuses with 401 JSON', () => {
    const cases: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['an empty header', { authorization: '' }],
      ['Bearer without a token', { authorization: 'Bearer ' }],
      ['a garbage token', { authorization: 'Bearer not-a-real-token' }],
      ['another scheme', { authorization: 'Basic YWxpY2U6c2VjcmV0' }],
      ['two tokens', { authorization: 'Bearer abc def' }],
      ['an oversized token', { authorization: `Bearer ${'A'.repeat(8000)}` }],
    ];
    for (const [why, headers] of cases) {
      it(`${why}, on /me and on logout`, async () => {
        for (const res of [await me(headers), await logout(headers)]) {
          expectError(res, 401, 'unauthorized');
          expect(res.headers.get('content-type')).to.match(/^application\/json/);
        }
      });
    }

    it('a real token with one character changed', async () => {
      const p = await t.loggedInPerson('tamper');
      const last = p.token.at(-1) === 'A' ? 'B' : 'A';
      expectError(await me(bearer(p.token.slice(0, -1) + last)), 401, 'unauthorized');
    });
  });

  describe('expiry', () => {
    it('ends a session that is not used for 7 days', async () => {
      const p = await t.loggedInPerson('idle');
      clock.advance(7 * DAY - 60_000);
      expect((await me(bearer(p.token))).status).to.equal(200);
      clock.advance(7 * DAY);
      expectError(await me(bearer(p.token)), 401, 'unauthorized');
    });

    it('ends a session 30 days after login however much it is used, as expires_at said', async () => {
      const p = await t.verifiedPerson('abs');
      const { token, expires_at } = (await t.logIn(p.username, p.password)).body;
      const expiresAt = Date.parse(expires_at);
      expect(expiresAt).to.equal(clock.now() + 30 * DAY);
      for (let day = 6; day < 30; day += 6) {
        clock.advance(6 * DAY);
        expect((await me(bearer(token))).status, `day ${day}`).to.equal(200);
      }
      clock.set(expiresAt);
      expectError(await me(bearer(token)), 401, 'unauthorized');
    });
  });
});
