import { expect } from 'chai';
import { bearer } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { ask, disconnected } from '../../helpers/sockets.js';
import { auditTypes, resetCode, userIdOf } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

describe('DELETE /api/account', () => {
  const t = useServer({ mail: true });

  const me = (token: string) => t.api('GET', '/api/me', undefined, bearer(token));
  const count = async (table: string, where: Record<string, unknown>) =>
    Number((await t.db(table).where(where).count({ n: '*' }))[0]!.n);

  it('needs a session', async () => {
    expectError(await t.api('DELETE', '/api/account', { password: 'whatever 1' }), 401, 'unauthorized');
  });

  it('refuses a wrong or missing password and deletes nothing', async () => {
    const p = await t.loggedInPerson('keeper');
    expectError(
      await t.as(p.token)('DELETE', '/api/account', { password: 'not the password' }),
      401,
      'invalid_credentials',
      'password',
    );
    expectError(await t.as(p.token)('DELETE', '/api/account', {}), 400, 'invalid_field', 'password');
    expectError(await t.as(p.token)('DELETE', '/api/account'), 400, 'invalid_field');
    expect((await me(p.token)).status).to.equal(200);
    expect(await auditTypes(t, await userIdOf(t, p.username))).to.include('account_deletion_failed');
  });

  it('removes the account, sessions and codes, closes its sockets, and anonymises its messages', async () => {
    const p = await t.loggedInPerson('leaver');
    const id = await userIdOf(t, p.username);
    const second = (await t.logIn(p.username, p.password)).body.token;
    await resetCode(t, t.mail, p.email);
    const socket = await t.connectAs({ ...p, id });
    const other = await t.connectAs({ ...p, id, token: second });
    const sent = await ask(socket, 'message', 'remember me fondly');
    expect(sent.ok).to.equal(true);
    const gone = Promise.all([disconnected(socket), disconnected(other)]);

    const res = await t.as(p.token)('DELETE', '/api/account', { password: p.password });
    expect(res.status).to.equal(204);
    expect(res.body).to.equal(undefined);
    expect(await gone).to.deep.equal(['io server disconnect', 'io server disconnect']);

    expectError(await me(p.token), 401, 'unauthorized');
    expectError(await me(second), 401, 'unauthorized');
    expectError(await t.logIn(p.username, p.password), 401, 'invalid_credentials');
    expect(await count('users', { id })).to.equal(0);
    expect(await count('sessions', { user_id: id })).to.equal(0);
    expect(await count('email_codes', { user_id: id })).to.equal(0);
    expect(await count('audit_events', { user_id: id })).to.equal(0);

    const row = await t.db('messages').where({ id: sent.id }).first();
    expect(row).to.include({ text: 'remember me fondly', user_id: null });
    const reader = await t.loggedInPerson('reader');
    const readerSocket = await t.connectAs({ ...reader, id: await userIdOf(t, reader.username) });
    const history = await ask(readerSocket, 'history', { room: 'lobby' });
    const kept = history.messages.find((m: any) => m.id === sent.id);
    expect(kept).to.include({ text: 'remember me fondly', user: null });

    const deleted = await t.db('audit_events').whereNull('user_id').where({ type: 'account_deleted' });
    expect(deleted.length).to.be.at.least(1);
  });

  it('frees the username and the email for a new account', async () => {
    const p = await t.loggedInPerson('again');
    expect((await t.as(p.token)('DELETE', '/api/account', { password: p.password })).status).to.equal(204);
    const before = t.mail.codeCount(p.email);
    const again = { ...p, password: 'a second life here' };
    expect((await t.signUp(again)).status).to.equal(201);
    const code = await t.mail.codeFor(p.email, { after: before });
    expect((await t.api('POST', '/api/verify-email', { email: p.email, code })).status).to.equal(200);
    const login = await t.logIn(p.username, again.password);
    expect(login.status).to.equal(200);
    const activity = (await t.as(login.body.token)('GET', '/api/account/activity')).body.events;
    expect(
      activity.map((e: any) => e.type),
      'nothing of the old account',
    ).to.deep.equal(['login', 'email_verified', 'signup']);
  });
});
