import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { bearer, newPerson } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

/** Every account event lands in the audit table, which the activity page reads. */
describe('accounts: the audit trail', () => {
  // Codes are replaced at most every few minutes: the clock is moved on before each resend.
  const clock = manualClock();
  const t = useServer({ mail: true, overrides: { clock } });

  it('records signup, verification, logins, lockout and logout, with address and agent', async () => {
    const p = newPerson('audited');
    const agent = { 'user-agent': 'audit-test/1.0' };
    await t.api('POST', '/api/signup', p, agent);
    const code = await t.mail.codeFor(p.email);
    await t.api('POST', '/api/verify-email', {
      email: p.email,
      code: code === '000000' ? '000001' : '000000',
    });
    clock.advance(3 * 60_000); // a live code is kept for a few minutes
    await t.api('POST', '/api/resend-verification', { email: p.email });
    const fresh = await t.mail.codeFor(p.email, { after: 1 });
    await t.api('POST', '/api/verify-email', { email: p.email, code: fresh });
    await t.signUp({ ...newPerson('copy'), email: p.email });
    const { token } = (await t.logIn(p.username, p.password)).body;
    await t.api('POST', '/api/logout', undefined, bearer(token));
    for (let i = 0; i < 5; i++) await t.logIn(p.username, 'not the password');
    await t.logIn(p.username, p.password);

    const { id } = await t.db('users').where({ username: p.username }).first();
    const events = await t.db('audit_events').where({ user_id: id }).orderBy('id');
    expect(events.map((e) => e.type)).to.deep.equal([
      'signup',
      'verification_failed',
      'verification_resent',
      'email_verified',
      'signup_existing_email',
      'login',
      'logout',
      ...Array(5).fill('login_failed'),
      'login_locked',
    ]);
    expect(events[0]).to.include({ ip: '127.0.0.1', user_agent: 'audit-test/1.0' });
  });

  it('records a failed login for an unknown name without an account', async () => {
    const before = await t.server
      .db('audit_events')
      .whereNull('user_id')
      .where({ type: 'login_failed' })
      .count({ n: '*' });
    await t.logIn('no-such-user', 'whatever123');
    const after = await t.server
      .db('audit_events')
      .whereNull('user_id')
      .where({ type: 'login_failed' })
      .count({ n: '*' });
    expect(Number(after[0]!.n)).to.equal(Number(before[0]!.n) + 1);
  });
});
