import { expect } from 'chai';
import { bearer } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { ask, disconnected, settle } from '../../helpers/sockets.js';
import { auditTypes, userIdOf } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

describe('POST /api/password/change', () => {
  const t = useServer({ mail: true });

  const change = (token: string, body: unknown) => t.as(token)('POST', '/api/password/change', body);
  const me = (token: string) => t.api('GET', '/api/me', undefined, bearer(token));

  it('needs a session', async () => {
    expectError(
      await t.api('POST', '/api/password/change', { current_password: 'x', password: 'y' }),
      401,
      'unauthorized',
    );
  });

  it('keeps this session, ends the others and their sockets, and mails a confirmation', async () => {
    const p = await t.loggedInPerson('changer');
    const id = await userIdOf(t, p.username);
    const other = (await t.logIn(p.username, p.password)).body.token;
    const third = (await t.logIn(p.username, p.password)).body.token;
    const mine = await t.connectAs({ ...p, id });
    const theirs = await t.connectAs({ ...p, id, token: other });
    const gone = disconnected(theirs);

    const newPassword = 'my changed passphrase';
    const res = await change(p.token, { current_password: p.password, password: newPassword });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.include({ revoked_sessions: 2 });
    expect(res.body.message).to.be.a('string');

    expect(await gone).to.equal('io server disconnect');
    expectError(await me(other), 401, 'unauthorized');
    expectError(await me(third), 401, 'unauthorized');
    expect((await me(p.token)).status, 'this session stays').to.equal(200);
    await settle();
    expect(mine.connected, "this session's socket stays").to.equal(true);
    expect((await ask(mine, 'message', 'still here')).ok).to.equal(true);

    expectError(await t.logIn(p.username, p.password), 401, 'invalid_credentials');
    expect((await t.logIn(p.username, newPassword)).status).to.equal(200);

    const notice = await t.mail.waitFor(
      (m) => m.to === p.email && m.subject === 'Your mux1 password was changed',
    );
    expect(notice.text).to.match(
      /was changed on \d{4}-\d\d-\d\d \d\d:\d\d UTC from the address 127\.0\.0\.1/,
    );
    expect(notice.text).to.match(/If this was not you/);
    expect(notice.text).to.include(`mux1 password forgot --email ${p.email}`);
    expect(await auditTypes(t, id)).to.include('password_changed');
  });

  it('refuses a wrong current password with 401 and changes nothing', async () => {
    const p = await t.loggedInPerson('wrongcur');
    const other = (await t.logIn(p.username, p.password)).body.token;
    const res = await change(p.token, { current_password: 'not my password', password: 'would be new one' });
    expectError(res, 401, 'invalid_credentials', 'current_password');
    expect((await me(p.token)).status).to.equal(200);
    expect((await me(other)).status).to.equal(200);
    expect((await t.logIn(p.username, p.password)).status).to.equal(200);
    expect(await auditTypes(t, await userIdOf(t, p.username))).to.include('password_change_failed');
  });

  it('counts wrong current passwords against the login lockout', async () => {
    const p = await t.loggedInPerson('guesser');
    for (let i = 0; i < 5; i++) {
      expectError(
        await change(p.token, { current_password: `guess number ${i}`, password: 'would be new one' }),
        401,
        'invalid_credentials',
      );
    }
    const locked = await change(p.token, { current_password: p.password, password: 'would be new one' });
    expectError(locked, 429, 'too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).to.be.above(0);
    expectError(await t.logIn(p.username, p.password), 429, 'too_many_attempts');
  });

  it('holds the new password to the signup rules', async () => {
    const p = await t.loggedInPerson('weaknew');
    const attempt = (password: unknown) => change(p.token, { current_password: p.password, password });
    expectError(await attempt('password123'), 400, 'weak_password', 'password');
    expectError(await attempt(p.username), 400, 'weak_password', 'password');
    expectError(await attempt(p.email.toUpperCase()), 400, 'weak_password', 'password');
    expectError(await attempt('short'), 400, 'invalid_field', 'password');
    expectError(await attempt(undefined), 400, 'invalid_field', 'password');
    expectError(
      await change(p.token, { password: 'a fine new password' }),
      400,
      'invalid_field',
      'current_password',
    );
    expect((await t.logIn(p.username, p.password)).status, 'unchanged').to.equal(200);
  });

  it('with no other session, says so', async () => {
    const p = await t.loggedInPerson('alone');
    const res = await change(p.token, { current_password: p.password, password: 'alone but changed' });
    expect(res.body.revoked_sessions).to.equal(0);
  });
});
