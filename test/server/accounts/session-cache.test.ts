import { expect } from 'chai';
import { bearer } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

/**
 * Sessions are cached for up to a second (SessionCache in server/accounts/sessions.ts); a session ended in
 * this process must still stop working at once, however it is ended.
 */
describe('session lookups are cached, and revocation still takes effect at once', () => {
  const t = useServer({ mail: true });

  const me = (token: string) => t.api('GET', '/api/me', undefined, bearer(token));

  it('a logged-out token is refused on the very next request, though it was just looked up', async () => {
    const p = await t.loggedInPerson('cachelogout');
    expect((await me(p.token)).status).to.equal(200);
    expect((await t.api('POST', '/api/logout', undefined, bearer(p.token))).status).to.equal(204);
    expect((await me(p.token)).status).to.equal(401);
  });

  it('a session revoked by a direct write to the database is refused at once', async () => {
    const p = await t.loggedInPerson('cacherow');
    expect((await me(p.token)).status).to.equal(200);
    await t.db('sessions').update({ revoked_at: Date.now() });
    expect((await me(p.token)).status).to.equal(401);
  });

  it('a deleted account is refused at once', async () => {
    const p = await t.loggedInPerson('cachegone');
    expect((await me(p.token)).status).to.equal(200);
    await t.server
      .db('sessions')
      .where({ user_id: (await me(p.token)).body.user.id })
      .delete();
    expect((await me(p.token)).status).to.equal(401);
  });

  it('answers the same user from the cache as from the database', async () => {
    const p = await t.loggedInPerson('cachesame');
    const first = await me(p.token);
    const second = await me(p.token);
    expect(second.status).to.equal(200);
    expect(second.body).to.deep.equal(first.body);
  });
});
