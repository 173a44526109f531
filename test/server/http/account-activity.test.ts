import { expect } from 'chai';
import { expectError } from '../../helpers/errors.js';
import { resetCode, reset } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

describe('GET /api/account/activity', () => {
  const t = useServer({ mail: true });

  it('needs a session', async () => {
    expectError(await t.api('GET', '/api/account/activity'), 401, 'unauthorized');
  });

  it("lists the user's own events newest first, with address and agent: every lifecycle event", async () => {
    const p = await t.loggedInPerson('active');
    const agent = { 'user-agent': 'activity-test/1.0' };
    await t.logIn(p.username, 'a wrong password');
    await t.logIn(p.username, p.password);
    const call = t.as(p.token);
    await call('POST', '/api/password/change', {
      current_password: 'wrong again!',
      password: 'irrelevant 123',
    });
    await call(
      'POST',
      '/api/password/change',
      { current_password: p.password, password: 'changed once ok' },
      agent,
    );
    const third = (await t.logIn(p.username, 'changed once ok')).body.token;
    const thirdId = (await t.as(third)('GET', '/api/sessions')).body.sessions.find((s: any) => s.current).id;
    await call('DELETE', `/api/sessions/${thirdId}`);
    await call('POST', '/api/sessions/revoke-others');
    await call('GET', '/api/account/export');
    await call('DELETE', '/api/account', { password: 'not it at all' });
    const code = await resetCode(t, t.mail, p.email);
    await reset(t, {
      email: p.email,
      code: '000000' === code ? '000001' : '000000',
      password: 'reset to this',
    });
    await reset(t, { email: p.email, code, password: 'reset to this' });
    const fresh = (await t.logIn(p.username, 'reset to this')).body.token;

    const res = await t.as(fresh)('GET', '/api/account/activity', undefined, agent);
    expect(res.status).to.equal(200);
    expect(res.body).to.have.all.keys('events', 'next_before');
    expect(res.body.next_before).to.equal(null);
    const events = res.body.events as any[];
    for (const e of events) {
      expect(e).to.have.all.keys('id', 'type', 'at', 'ip', 'user_agent');
      expect(e.ip).to.equal('127.0.0.1');
      expect(new Date(e.at).toISOString()).to.equal(e.at);
    }
    expect(events.map((e) => e.type)).to.deep.equal([
      'login',
      'password_reset',
      'password_reset_failed',
      'password_reset_requested',
      'account_deletion_failed',
      'account_exported',
      'other_sessions_revoked',
      'session_revoked',
      'login',
      'password_changed',
      'password_change_failed',
      'login',
      'login_failed',
      'login',
      'email_verified',
      'signup',
    ]);
    const ids = events.map((e) => e.id);
    expect(ids).to.deep.equal([...ids].sort((a, b) => b - a));
    expect(events.find((e) => e.type === 'password_changed').user_agent).to.equal('activity-test/1.0');
  });

  it("never shows another user's events", async () => {
    const a = await t.loggedInPerson('mine');
    const b = await t.loggedInPerson('yours');
    await t.logIn(b.username, 'wrong for b!');
    const aEvents = (await t.as(a.token)('GET', '/api/account/activity')).body.events as any[];
    const bEvents = (await t.as(b.token)('GET', '/api/account/activity')).body.events as any[];
    const bIds = new Set(bEvents.map((e) => e.id));
    expect(aEvents.some((e) => bIds.has(e.id))).to.equal(false);
    expect(aEvents.map((e) => e.type)).to.deep.equal(['login', 'email_verified', 'signup']);
  });

  it('pages with ?before=<id>&limit=<n>, next_before pointing at the next page', async () => {
    const p = await t.loggedInPerson('pager');
    for (let i = 0; i < 4; i++) await t.logIn(p.username, p.password);
    const call = t.as(p.token);
    const all = (await call('GET', '/api/account/activity')).body.events as any[];
    expect(all).to.have.length(7);

    const seen: any[] = [];
    let before: number | null = null;
    let pages = 0;
    do {
      const query: string = before === null ? '?limit=3' : `?limit=3&before=${before}`;
      const res = await call('GET', `/api/account/activity${query}`);
      expect(res.status).to.equal(200);
      expect(res.body.events.length).to.be.at.most(3);
      seen.push(...res.body.events);
      before = res.body.next_before;
      pages += 1;
    } while (before !== null);
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal(all);

    const exact = await call('GET', `/api/account/activity?limit=7`);
    expect(exact.body.next_before, 'no empty last page').to.equal(null);
  });

  it('refuses a malformed page with 400 naming the parameter', async () => {
    const p = await t.loggedInPerson('badpage');
    const call = t.as(p.token);
    expectError(await call('GET', '/api/account/activity?limit=0'), 400, 'invalid_field', 'limit');
    expectError(await call('GET', '/api/account/activity?limit=201'), 400, 'invalid_field', 'limit');
    expectError(await call('GET', '/api/account/activity?limit=ten'), 400, 'invalid_field', 'limit');
    expectError(await call('GET', '/api/account/activity?before=-4'), 400, 'invalid_field', 'before');
    expectError(await call('GET', '/api/account/activity?before=1&before=2'), 400, 'invalid_field', 'before');
    expect((await call('GET', '/api/account/activity?limit=200')).status).to.equal(200);
  });
});
