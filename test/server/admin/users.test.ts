import { expect } from 'chai';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { personWithRole } from '../../helpers/admin.js';
import { expectRefused, hostileBodies } from '../../helpers/hostile-inputs.js';
import { rawRequest } from '../../helpers/raw-http.js';
import type { ChatPerson } from '../../helpers/sockets.js';

/*
 * The admin's users list, details, changes, deletion and forced reset over REST, against a real
 * server and SMTP inbox: what an admin sees, what the owner gets by mail, what the audit keeps.
 */

describe('administration: users', function () {
  this.timeout(60_000);
  const t = useServer({ mail: true, env: MANY_SIGNUPS });
  let admin: ChatPerson;
  let as: ReturnType<typeof t.as>;

  before(async () => {
    admin = await personWithRole(t, 'admin', 'boss');
    as = t.as(admin.token);
  });

  it('lists accounts newest first with the contract fields, and pages by id', async () => {
    const people = await t.chatPeople('lista', 'listb', 'listc');
    const first = await as('GET', '/api/admin/users?limit=2');
    expect(first.status).to.equal(200);
    expect(first.body.users.map((u: { id: number }) => u.id)).to.deep.equal([people[2].id, people[1].id]);
    expect(Object.keys(first.body.users[0]).sort()).to.deep.equal(
      [
        'id',
        'username',
        'email',
        'role',
        'verified',
        'disabled',
        'deactivated',
        'two_factor',
        'created_at',
        'last_login_at',
      ].sort(),
    );
    expect(first.body.users[0]).to.include({
      role: 'user',
      verified: true,
      disabled: false,
      deactivated: false,
    });
    expect(first.body.users[0].last_login_at).to.be.a('string');
    expect(first.body.next_before).to.equal(people[1].id);
    const second = await as('GET', `/api/admin/users?limit=2&before=${first.body.next_before}`);
    expect(second.body.users[0].id).to.equal(people[0].id);
  });

  it('keeps pages stable while accounts sign up between them', async () => {
    const [a, b, c] = await t.chatPeople('stablea', 'stableb', 'stablec');
    const first = await as('GET', '/api/admin/users?limit=2');
    expect(first.body.users.map((u: { id: number }) => u.id)).to.deep.equal([c.id, b.id]);
    await t.chatPeople('stabled', 'stablee');
    const second = await as('GET', `/api/admin/users?limit=2&before=${first.body.next_before}`);
    expect(second.body.users[0].id).to.equal(a.id);
  });

  it('searches a prefix of the username or the email, case-insensitively, wildcards literal', async () => {
    const p = await t.chatPerson('findme');
    const byName = await as(
      'GET',
      `/api/admin/users?query=${encodeURIComponent(p.username.slice(0, 8).toUpperCase())}`,
    );
    expect(byName.body.users.map((u: { id: number }) => u.id)).to.include(p.id);
    const byEmail = await as('GET', `/api/admin/users?query=${encodeURIComponent(p.email)}`);
    expect(byEmail.body.users.map((u: { id: number }) => u.id)).to.deep.equal([p.id]);
    // Not a substring search: the middle of a name finds nothing.
    const middle = await as('GET', `/api/admin/users?query=${encodeURIComponent(p.username.slice(2))}`);
    expect(middle.body.users).to.deep.equal([]);
    for (const wild of [
      '%',
      '_',
      '\\',
      'f%',
      'find_e',
      '%findme',
      "f' OR '1'='1",
      'f"',
      '\u00e9\u6f22',
      '\u{1F600}',
    ]) {
      const res = await as('GET', `/api/admin/users?query=${encodeURIComponent(wild)}`);
      expect(res.status, wild).to.equal(200);
      expect(res.body.users, wild).to.deep.equal([]);
    }
  });

  it('refuses hostile queries with 400 and never fails', async () => {
    const bad = ['x'.repeat(10_000), 'a\u0000b', '%00', 'a%0Ab', '%ED%A0%80', 'q&query=twice'];
    for (const raw of bad) {
      const path = raw.startsWith('q&')
        ? '/api/admin/users?query=a&query=b'
        : `/api/admin/users?query=${raw.includes('%') ? raw : encodeURIComponent(raw)}`;
      const res = await as('GET', path);
      expect(res.status, raw.slice(0, 20)).to.be.oneOf([200, 400]);
      if (res.status === 400) expect(res.body.code).to.equal('invalid_field');
    }
    expect((await as('GET', `/api/admin/users?query=${'x'.repeat(10_000)}`)).status).to.equal(400);
    expect((await as('GET', '/api/admin/users?query=a%00b')).status).to.equal(400);
    for (const q of [
      'limit=0',
      'limit=101',
      'limit=-1',
      'limit=1e3',
      'before=0',
      'before=abc',
      'before=1&before=2',
    ]) {
      const res = await as('GET', `/api/admin/users?${q}`);
      expect(res.status, q).to.equal(400);
      expect(res.body.code, q).to.equal('invalid_field');
    }
  });

  it('shows one account with its live sessions and tokens; 404 for none', async () => {
    const p = await t.chatPerson('details');
    const res = await as('GET', `/api/admin/users/${p.id}`);
    expect(res.status).to.equal(200);
    expect(res.body.user.username).to.equal(p.username);
    expect(res.body.sessions).to.have.length(1);
    expect(Object.keys(res.body.sessions[0]).sort()).to.deep.equal(
      ['id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'].sort(),
    );
    expect(res.body.tokens).to.deep.equal([]);
    for (const id of ['999999', '0', 'abc', '1.5', '-1', '9'.repeat(30)]) {
      const missing = await as('GET', `/api/admin/users/${id}`);
      expect(missing.status, id).to.equal(404);
      expect(missing.body.code).to.equal('not_found');
    }
  });

  it('changes a role and disables: validates the body, audits with the admin as actor', async () => {
    const p = await t.chatPerson('target');
    for (const body of [
      {},
      { role: 'superuser' },
      { role: 5 },
      { disabled: 'yes' },
      { disabled: null },
      [],
    ]) {
      const res = await as('PATCH', `/api/admin/users/${p.id}`, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.code).to.equal('invalid_field');
    }
    for (const hostile of hostileBodies({ role: 'moderator' })) {
      const res = await rawRequest(t.url, {
        method: 'PATCH',
        path: `/api/admin/users/${p.id}`,
        headers: {
          authorization: `Bearer ${admin.token}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(hostile)),
        },
        chunks: [hostile],
      });
      expectRefused({ ...res, headers: {} }, hostile.slice(0, 80));
    }
    const promoted = await as('PATCH', `/api/admin/users/${p.id}`, { role: 'moderator' });
    expect(promoted.status).to.equal(200);
    expect(promoted.body.user.role).to.equal('moderator');
    const disabled = await as('PATCH', `/api/admin/users/${p.id}`, { disabled: true });
    expect(disabled.body.user.disabled).to.equal(true);
    // The owner's session ended.
    expect((await t.as(p.token)('GET', '/api/me')).status).to.equal(401);
    const mail = await t.mail.waitFor((m) => m.to === p.email && /disabled/.test(m.subject));
    expect(mail.text).to.match(/disabled your mux1 account/);
    const events = await t
      .db('audit_events')
      .where({ user_id: p.id })
      .whereIn('type', ['role_changed', 'account_disabled'])
      .orderBy('id');
    expect(events.map((e) => [e.type, Number(e.actor_id), e.detail])).to.deep.equal([
      ['role_changed', admin.id, 'user -> moderator'],
      ['account_disabled', admin.id, null],
    ]);
    const enabled = await as('PATCH', `/api/admin/users/${p.id}`, { disabled: false });
    expect(enabled.body.user.disabled).to.equal(false);
    expect((await t.logIn(p.username, p.password)).status).to.equal(200);
  });

  it('deletes an account as self-deletion does and mails its owner', async () => {
    const p = await t.chatPerson('doomed');
    const res = await as('DELETE', `/api/admin/users/${p.id}`);
    expect(res.status).to.equal(204);
    expect(await t.db('users').where({ id: p.id }).first()).to.equal(undefined);
    await t.mail.waitFor((m) => m.to === p.email && /deleted/.test(m.subject));
    const event = await t
      .db('audit_events')
      .where({ type: 'account_deleted_by_admin' })
      .orderBy('id', 'desc')
      .first();
    expect(Number(event.actor_id)).to.equal(admin.id);
    expect(event.user_id).to.equal(null);
    expect((await as('DELETE', `/api/admin/users/${p.id}`)).status).to.equal(404);
  });

  it('forces a password reset: sessions end, the owner gets a code that the normal reset takes', async () => {
    const p = await t.chatPerson('resetme');
    const res = await as('POST', `/api/admin/users/${p.id}/password-reset`);
    expect(res.status).to.equal(200);
    expect(res.body.message).to.be.a('string');
    expect((await t.as(p.token)('GET', '/api/me')).status).to.equal(401);
    const mail = await t.mail.waitFor((m) => m.to === p.email && /password reset code/.test(m.subject));
    const code = /(\d{6})/.exec(mail.subject)![1]!;
    const reset = await t.api('POST', '/api/password/reset', {
      email: p.email,
      code,
      password: 'a brand new pass phrase',
    });
    expect(reset.status, JSON.stringify(reset.body)).to.equal(200);
    expect((await t.logIn(p.username, 'a brand new pass phrase')).status).to.equal(200);
    const event = await t.db('audit_events').where({ type: 'password_reset_forced', user_id: p.id }).first();
    expect(Number(event.actor_id)).to.equal(admin.id);
  });
});
