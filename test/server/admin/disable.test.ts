import { expect } from 'chai';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { personWithRole } from '../../helpers/admin.js';
import { makeToken } from '../../helpers/tokens.js';
import { logInWithCode, totpAt, turnOn } from '../../helpers/two-factor.js';
import { ask, connect, disconnected, nextEvent, settle, type ChatPerson } from '../../helpers/sockets.js';

/*
 * Disabling and deactivating, as the account's own sockets, tokens and logins see it: the open
 * socket is told and disconnected and cannot authenticate again, the right password answers 403
 * account_disabled (a wrong one 401 as always), and a deactivated account leaves presence and
 * comes back with its next sign-in.
 */

describe('administration: disabled and deactivated accounts', function () {
  this.timeout(60_000);
  const t = useServer({ mail: true, env: MANY_SIGNUPS });
  let admin: ChatPerson;

  before(async () => {
    admin = await personWithRole(t, 'admin', 'disabler');
  });

  it('disconnects an open socket of a disabled account, which cannot authenticate again', async () => {
    const p = await t.chatPerson('socketed');
    const { token } = await makeToken(t, p.token, ['chat:read', 'chat:write']);
    const socket = await t.connectAs(p);
    const told = nextEvent(socket, 'auth_error');
    const gone = disconnected(socket);
    const res = await t.as(admin.token)('PATCH', `/api/admin/users/${p.id}`, { disabled: true });
    expect(res.status).to.equal(200);
    expect((await told).code).to.equal('unauthorized');
    await gone;
    // The session's token and the access token are refused everywhere.
    for (const credential of [p.token, token]) {
      const { authErrors } = await connect(t.url, { token: credential });
      await settle();
      expect(
        authErrors.map((e) => e.code),
        'handshake',
      ).to.include('unauthorized');
      const guest = await connect(t.url);
      const ack = await ask(guest.socket, 'authenticate', { token: credential });
      expect(ack.ok).to.equal(false);
      expect(ack.code).to.equal('unauthorized');
      expect((await t.as(credential)('GET', '/api/me')).status).to.equal(401);
    }
    // Signing in with the password over the socket is refused too.
    const guest = await connect(t.url);
    const byPassword = await ask(guest.socket, 'authenticate', {
      username: p.username,
      password: p.password,
    });
    expect(byPassword.ok).to.equal(false);
    expect(byPassword.code).to.equal('account_disabled');
  });

  it('answers the right password of a disabled account 403 account_disabled, a wrong one 401', async () => {
    const p = await t.chatPerson('locked');
    await t.as(admin.token)('PATCH', `/api/admin/users/${p.id}`, { disabled: true });
    const wrong = await t.logIn(p.username, 'not the password at all');
    expect(wrong.status).to.equal(401);
    expect(wrong.body.code).to.equal('invalid_credentials');
    const right = await t.logIn(p.username, p.password);
    expect(right.status).to.equal(403);
    expect(right.body.code).to.equal('account_disabled');
    expect(right.body).to.not.have.property('token');
    await t.as(admin.token)('PATCH', `/api/admin/users/${p.id}`, { disabled: false });
    expect((await t.logIn(p.username, p.password)).status).to.equal(200);
  });

  it('refuses the second step of a login when the account was disabled after the password', async () => {
    const p = await t.chatPerson('twostep');
    const { secret } = await turnOn(t.url, p, Date.now());
    const first = await t.logIn(p.username, p.password);
    expect(first.body.mfa_required).to.equal(true);
    await t.as(admin.token)('PATCH', `/api/admin/users/${p.id}`, { disabled: true });
    const second = await t.api('POST', '/api/login/2fa', {
      mfa_token: first.body.mfa_token,
      // The next step's code: turnOn used this step's.
      code: totpAt(secret, Date.now() + 30_000),
    });
    expect(second.status).to.equal(403);
    expect(second.body.code).to.equal('account_disabled');
    expect(second.body).to.not.have.property('token');
  });

  it('reactivates a deactivated account with two-factor sign-in only once the code is right', async () => {
    const p = await t.chatPerson('twopause');
    const { secret } = await turnOn(t.url, p, Date.now());
    expect(
      (await t.as(p.token)('POST', '/api/account/deactivate', { password: p.password })).status,
    ).to.equal(200);
    const first = await t.logIn(p.username, p.password);
    expect(first.body.mfa_required).to.equal(true);
    expect((await t.db('users').where({ id: p.id }).first()).deactivated_at, 'not yet').to.not.equal(null);
    // The next step's code: turnOn used this step's.
    await logInWithCode(t.url, p, totpAt(secret, Date.now() + 30_000));
    expect((await t.db('users').where({ id: p.id }).first()).deactivated_at).to.equal(null);
  });

  it('disconnects the sockets of an account whose role changes', async () => {
    const p = await t.chatPerson('promoted');
    const socket = await t.connectAs(p);
    const gone = disconnected(socket);
    await t.as(admin.token)('PATCH', `/api/admin/users/${p.id}`, { role: 'moderator' });
    await gone;
    // The session itself still works: the client signs in again, now as a moderator.
    expect((await t.as(p.token)('GET', '/api/me')).status).to.equal(200);
  });

  it('deactivates on the owner password: sessions and tokens end, presence forgets, a login reactivates', async () => {
    const p = await t.chatPerson('pausing');
    const watcher = await t.chatPerson('watcher');
    const other = await t.as(p.token)('GET', '/api/me');
    expect(other.status).to.equal(200);
    const { token } = await makeToken(t, p.token, ['profile:read']);
    const watching = await t.connectAs(watcher);
    const socket = await t.connectAs(p);
    await nextEvent(watching, 'presence', (e) => e.users.some((u) => u.id === p.id));
    const left = nextEvent(watching, 'presence', (e) => !e.users.some((u) => u.id === p.id));
    const wrong = await t.as(p.token)('POST', '/api/account/deactivate', {
      password: 'not my password here',
    });
    expect(wrong.status).to.equal(401);
    const gone = disconnected(socket);
    const res = await t.as(p.token)('POST', '/api/account/deactivate', { password: p.password });
    expect(res.status).to.equal(200);
    expect(res.body.message).to.match(/deactivated/);
    await gone;
    await left;
    expect((await t.as(p.token)('GET', '/api/me')).status).to.equal(401);
    expect((await t.as(token)('GET', '/api/me')).status).to.equal(401);
    const row = await t.db('users').where({ id: p.id }).first();
    expect(row.deactivated_at).to.not.equal(null);
    const listed = await t.as(admin.token)('GET', `/api/admin/users/${p.id}`);
    expect(listed.body.user.deactivated).to.equal(true);
    const login = await t.logIn(p.username, p.password);
    expect(login.status).to.equal(200);
    expect((await t.db('users').where({ id: p.id }).first()).deactivated_at).to.equal(null);
    const types = (await t
      .db('audit_events')
      .where({ user_id: p.id })
      .orderBy('id')
      .pluck('type')) as string[];
    expect(types.filter((x) => x.startsWith('account_'))).to.deep.equal([
      'account_deactivated',
      'account_reactivated',
    ]);
  });
});
