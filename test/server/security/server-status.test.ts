import { expect } from 'chai';
import { api } from '../../helpers/server.js';
import { useServer } from '../../helpers/fixture.js';
import { bearer } from '../../helpers/accounts.js';

/** /api/server-status keeps its shape for everyone; its counts are for signed-in users. */
describe('security: who sees the counts of /api/server-status', () => {
  const closed = useServer({ mail: true });
  const open = useServer({ mail: true, env: { SERVER_STATUS_PUBLIC: 'on' } });

  const status = (url: string, headers: Record<string, string> = {}) =>
    api(url, 'GET', '/api/server-status', undefined, headers);

  it('shows 0 to a caller without a session, in the same shape', async () => {
    const p = await closed.loggedInPerson('status');
    for (const headers of [
      {},
      bearer('not-a-real-token'),
      bearer(`${p.token}x`),
      { authorization: 'Basic abc' },
    ]) {
      const res = await status(closed.url, headers);
      expect(res.status).to.equal(200);
      expect(res.body).to.have.all.keys('status', 'uptime_s', 'connected_users', 'total_users');
      expect(res.body).to.include({ status: 'online', connected_users: 0, total_users: 0 });
    }
    const signedIn = await status(closed.url, bearer(p.token));
    expect(signedIn.body.total_users).to.equal(1);
  });

  it('shows the counts to anyone with SERVER_STATUS_PUBLIC on', async () => {
    await open.loggedInPerson('public');
    expect((await status(open.url)).body.total_users).to.equal(1);
  });
});
