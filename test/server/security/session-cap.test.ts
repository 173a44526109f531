import { expect } from 'chai';
import { api } from '../../helpers/server.js';
import { useServer } from '../../helpers/fixture.js';
import { bearer, logIn } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';

/** A user holds at most SESSIONS_PER_USER_MAX live sessions; the oldest end, and the owner is told. */
describe('security: the cap on live sessions per user', () => {
  const t = useServer({ mail: true, env: { SESSIONS_PER_USER_MAX: '3' } });

  it('ends the oldest sessions past the cap and writes session_ended_by_limit to the activity log', async () => {
    const p = await t.verifiedPerson('cap');
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await logIn(t.url, p.username, p.password);
      expect(res.status).to.equal(200);
      tokens.push(res.body.token);
    }
    const newest = tokens.at(-1)!;
    const listed = await api(t.url, 'GET', '/api/sessions', undefined, bearer(newest));
    expect(listed.status).to.equal(200);
    expect(listed.body.sessions).to.have.length(3);
    for (const old of tokens.slice(0, 2))
      expectError(await api(t.url, 'GET', '/api/me', undefined, bearer(old)), 401, 'unauthorized');
    for (const live of tokens.slice(2))
      expect((await api(t.url, 'GET', '/api/me', undefined, bearer(live))).status).to.equal(200);
    const activity = await api(t.url, 'GET', '/api/account/activity', undefined, bearer(newest));
    const types = activity.body.events.map((e: { type: string }) => e.type);
    expect(types.filter((x: string) => x === 'session_ended_by_limit')).to.have.length(2);
  });
});
