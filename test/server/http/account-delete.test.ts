import { expect } from 'chai';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { bearer, logIn, loggedInPerson, signUp } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { ask, connectAs, disconnectAll, disconnected } from '../../helpers/sockets.js';
import { as, auditTypes, resetCode, userIdOf } from '../../helpers/account-actions.js';

describe('DELETE /api/account', () => {
  let smtp: TestSmtp;
  let t: TestServer;

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url } });
  });
  afterEach(disconnectAll);
  after(async () => {
    await t.close();
    await smtp.close();
  });

  const me = (token: string) => api(t.url, 'GET', '/api/me', undefined, bearer(token));
  const count = async (table: string, where: Record<string, unknown>) =>
    Number((await t.server.db(table).where(where).count({ n: '*' }))[0]!.n);

  it('needs a session', async () => {
    expectError(await api(t.url, 'DELETE', '/api/account', { password: 'whatever 1' }), 401, 'unauthorized');
  });

  it('refuses a wrong or missing password and deletes nothing', async () => {
    const p = await loggedInPerson(t.url, smtp, 'keeper');
    expectError(
      await as(t, p.token)('DELETE', '/api/account', { password: 'not the password' }),
      401,
      'invalid_credentials',
      'password',
    );
    expectError(await as(t, p.token)('DELETE', '/api/account', {}), 400, 'invalid_field', 'password');
    expectError(await as(t, p.token)('DELETE', '/api/account'), 400, 'invalid_field');
    expect((await me(p.token)).status).to.equal(200);
    expect(await auditTypes(t, await userIdOf(t, p.username))).to.include('account_deletion_failed');
  });

  it('removes the account, sessions and codes, closes its sockets, and anonymises its messages', async () => {
    const p = await loggedInPerson(t.url, smtp, 'leaver');
    const id = await userIdOf(t, p.username);
    const second = (await logIn(t.url, p.username, p.password)).body.token;
    await resetCode(t, smtp, p.email);
    const socket = await connectAs(t.url, { ...p, id });
    const other = await connectAs(t.url, { ...p, id, token: second });
    const sent = await ask(socket, 'message', 'remember me fondly');
    expect(sent.ok).to.equal(true);
    const gone = Promise.all([disconnected(socket), disconnected(other)]);

    const res = await as(t, p.token)('DELETE', '/api/account', { password: p.password });
    expect(res.status).to.equal(204);
    expect(res.body).to.equal(undefined);
    expect(await gone).to.deep.equal(['io server disconnect', 'io server disconnect']);

    expectError(await me(p.token), 401, 'unauthorized');
    expectError(await me(second), 401, 'unauthorized');
    expectError(await logIn(t.url, p.username, p.password), 401, 'invalid_credentials');
    expect(await count('users', { id })).to.equal(0);
    expect(await count('sessions', { user_id: id })).to.equal(0);
    expect(await count('email_codes', { user_id: id })).to.equal(0);
    expect(await count('audit_events', { user_id: id })).to.equal(0);

    const row = await t.server.db('messages').where({ id: sent.id }).first();
    expect(row).to.include({ text: 'remember me fondly', user_id: null });
    const reader = await loggedInPerson(t.url, smtp, 'reader');
    const readerSocket = await connectAs(t.url, { ...reader, id: await userIdOf(t, reader.username) });
    const history = await ask(readerSocket, 'history', { room: 'lobby' });
    const kept = history.messages.find((m: any) => m.id === sent.id);
    expect(kept).to.include({ text: 'remember me fondly', user: null });

    const deleted = await t.server.db('audit_events').whereNull('user_id').where({ type: 'account_deleted' });
    expect(deleted.length).to.be.at.least(1);
  });

  it('frees the username and the email for a new account', async () => {
    const p = await loggedInPerson(t.url, smtp, 'again');
    expect((await as(t, p.token)('DELETE', '/api/account', { password: p.password })).status).to.equal(204);
    const before = smtp.codeCount(p.email);
    const again = { ...p, password: 'a second life here' };
    expect((await signUp(t.url, again)).status).to.equal(201);
    const code = await smtp.codeFor(p.email, { after: before });
    expect((await api(t.url, 'POST', '/api/verify-email', { email: p.email, code })).status).to.equal(200);
    const login = await logIn(t.url, p.username, again.password);
    expect(login.status).to.equal(200);
    const activity = (await as(t, login.body.token)('GET', '/api/account/activity')).body.events;
    expect(
      activity.map((e: any) => e.type),
      'nothing of the old account',
    ).to.deep.equal(['login', 'email_verified', 'signup']);
  });
});
