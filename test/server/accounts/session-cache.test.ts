import { expect } from 'chai';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { bearer, loggedInPerson } from '../../helpers/accounts.js';

/**
 * Sessions are cached for up to a second (SessionCache in server/accounts/sessions.ts); a session ended in
 * this process must still stop working at once, however it is ended.
 */
describe('session lookups are cached, and revocation still takes effect at once', () => {
  let smtp: TestSmtp;
  let t: TestServer;

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url } });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  const me = (token: string) => api(t.url, 'GET', '/api/me', undefined, bearer(token));

  it('a logged-out token is refused on the very next request, though it was just looked up', async () => {
    const p = await loggedInPerson(t.url, smtp, 'cachelogout');
    expect((await me(p.token)).status).to.equal(200);
    expect((await api(t.url, 'POST', '/api/logout', undefined, bearer(p.token))).status).to.equal(204);
    expect((await me(p.token)).status).to.equal(401);
  });

  it('a session revoked by a direct write to the database is refused at once', async () => {
    const p = await loggedInPerson(t.url, smtp, 'cacherow');
    expect((await me(p.token)).status).to.equal(200);
    await t.server.db('sessions').update({ revoked_at: Date.now() });
    expect((await me(p.token)).status).to.equal(401);
  });

  it('a deleted account is refused at once', async () => {
    const p = await loggedInPerson(t.url, smtp, 'cachegone');
    expect((await me(p.token)).status).to.equal(200);
    await t.server
      .db('sessions')
      .where({ user_id: (await me(p.token)).body.user.id })
      .delete();
    expect((await me(p.token)).status).to.equal(401);
  });

  it('answers the same user from the cache as from the database', async () => {
    const p = await loggedInPerson(t.url, smtp, 'cachesame');
    const first = await me(p.token);
    const second = await me(p.token);
    expect(second.status).to.equal(200);
    expect(second.body).to.deep.equal(first.body);
  });
});
