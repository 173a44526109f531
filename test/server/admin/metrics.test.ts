import { expect } from 'chai';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { personWithRole } from '../../helpers/admin.js';

/*
 * The metrics administration added: verifications, live sessions, and logins refused because an
 * admin disabled the account, read from a real scrape.
 */

const TOKEN = 'a-metrics-token-for-the-admin-test';

const value = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
};

describe('administration: metrics', function () {
  this.timeout(60_000);
  const t = useServer({ mail: true, env: { ...MANY_SIGNUPS, METRICS_TOKEN: TOKEN } });
  const scrape = async () =>
    (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();

  it('counts verifications, live sessions and logins of disabled accounts', async () => {
    const before = await scrape();
    expect(value(before, 'mux1_logins_total{result="disabled"}')).to.equal(0);
    const p = await t.loggedInPerson('metered');
    const admin = await personWithRole(t, 'admin', 'meteradmin');
    const mid = await scrape();
    expect(value(mid, 'mux1_verifications_total') - value(before, 'mux1_verifications_total')).to.equal(1);
    expect(value(mid, 'mux1_sessions_live') - value(before, 'mux1_sessions_live')).to.equal(2);
    await t.as(admin.token)(
      'PATCH',
      `/api/admin/users/${(await t.db('users').where({ username: p.username }).first()).id}`,
      {
        disabled: true,
      },
    );
    expect((await t.logIn(p.username, p.password)).status).to.equal(403);
    const after = await scrape();
    expect(value(after, 'mux1_logins_total{result="disabled"}')).to.equal(1);
    expect(value(after, 'mux1_sessions_live')).to.equal(value(mid, 'mux1_sessions_live') - 1);
  });
});
