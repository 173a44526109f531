import { expect } from 'chai';
import { expectError } from '../../helpers/errors.js';
import { ask } from '../../helpers/sockets.js';
import { EXPORT_SECTIONS, resetCode, userIdOf } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';
import { createPasskey } from '../../helpers/passkeys.js';
import { makeKeyPair } from '../../helpers/ssh-keys.js';

describe('GET /api/account/export', () => {
  const t = useServer({ mail: true });

  it('needs a session', async () => {
    expectError(await t.api('GET', '/api/account/export'), 401, 'unauthorized');
  });

  it('holds the profile, sessions, codes, tokens, SSH keys, passkeys, blocks, read markers, messages and activity of the user, and no secret', async () => {
    const p = await t.loggedInPerson('exporter');
    const id = await userIdOf(t, p.username);
    const other = (await t.logIn(p.username, p.password)).body.token;
    await t.api('POST', '/api/logout', undefined, { authorization: `Bearer ${other}` });
    const code = await resetCode(t, t.mail, p.email);
    const socket = await t.connectAs({ ...p, id });
    expect((await ask(socket, 'message', 'first words')).ok).to.equal(true);
    expect((await ask(socket, 'message', { room: 'lobby', text: 'second words' })).ok).to.equal(true);
    const stranger = await t.loggedInPerson('stranger');
    const strangerSocket = await t.connectAs({ ...stranger, id: await userIdOf(t, stranger.username) });
    const notYours = await ask(strangerSocket, 'message', 'not yours');
    expect((await ask(socket, 'block', { username: stranger.username })).ok).to.equal(true);
    expect((await ask(socket, 'read', { room: 'lobby', id: notYours.id })).ok).to.equal(true);

    const bot = await t.as(p.token)('POST', '/api/tokens', { name: 'bot', scopes: ['chat:read'] });
    const gone = await t.as(p.token)('POST', '/api/tokens', { name: 'gone', scopes: ['profile:read'] });
    expect([bot.status, gone.status]).to.deep.equal([201, 201]);
    expect((await t.as(p.token)('DELETE', `/api/tokens/${gone.body.id}`)).status).to.equal(204);

    const sshKey = makeKeyPair({ comment: 'laptop key' });
    const added = await t.as(p.token)('POST', '/api/ssh-keys', { public_key: sshKey.publicKey });
    expect(added.status, JSON.stringify(added.body)).to.equal(201);
    const options = await t.as(p.token)('POST', '/api/passkeys/register/options');
    const made = createPasskey(options.body.options, t.url.replace('127.0.0.1', 'localhost'));
    const registered = await t.as(p.token)('POST', '/api/passkeys/register', {
      challenge_id: options.body.challenge_id,
      credential: made.credential,
      name: 'phone',
    });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);

    const res = await t.as(p.token)('GET', '/api/account/export');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(res.headers.get('content-disposition')).to.equal(
      `attachment; filename="mux1-export-${p.username}.json"`,
    );
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const data = res.body;
    expect(data).to.have.all.keys(...EXPORT_SECTIONS);
    expect(data.user).to.deep.include({ id, username: p.username, email: p.email, failed_logins: 0 });
    expect(data.user.email_verified_at).to.be.a('string');
    expect(data.user).not.to.have.property('password_hash');

    expect(data.sessions).to.have.length(2);
    expect(data.sessions.filter((s: any) => s.revoked_at !== null)).to.have.length(1);
    expect(data.sessions.filter((s: any) => s.current)).to.have.length(1);
    for (const s of data.sessions) expect(s).not.to.have.property('token_hash');
    // Written by the database: the same fields, booleans and times as the sessions list shows.
    const rows = await t.db('sessions').where({ user_id: id }).orderBy('created_at');
    expect(data.sessions).to.deep.equal(
      rows.map((r: any) => ({
        id: r.id,
        created_at: new Date(Number(r.created_at)).toISOString(),
        last_seen_at: new Date(Number(r.last_seen_at)).toISOString(),
        expires_at: new Date(Number(r.expires_at)).toISOString(),
        user_agent: r.user_agent,
        ip: r.ip,
        // The other session was signed out: the one left is the one asking.
        current: r.revoked_at === null,
        revoked_at: r.revoked_at === null ? null : new Date(Number(r.revoked_at)).toISOString(),
      })),
    );

    expect(data.codes.map((c: any) => c.purpose)).to.have.members(['verify', 'reset']);
    for (const c of data.codes)
      expect(c).to.have.all.keys('purpose', 'attempts', 'created_at', 'expires_at', 'used_at');

    expect(data.tokens.map((k: any) => [k.name, k.revoked_at === null])).to.deep.equal([
      ['gone', false],
      ['bot', true],
    ]);
    for (const k of data.tokens)
      expect(k).to.have.all.keys(
        'id',
        'name',
        'scopes',
        'created_at',
        'expires_at',
        'last_used_at',
        'last_used_ip',
        'revoked_at',
      );
    expect(data.ssh_keys).to.have.length(1);
    expect(data.ssh_keys[0]).to.have.all.keys(
      'id',
      'name',
      'fingerprint',
      'type',
      'bits',
      'public_key',
      'created_at',
      'last_used_at',
    );
    expect(data.ssh_keys[0]).to.include({
      id: added.body.id,
      name: 'laptop key',
      fingerprint: added.body.fingerprint,
      type: 'ssh-ed25519',
      // The public key as it was added, without its comment: enough to add it again elsewhere.
      public_key: sshKey.publicKey.split(' ').slice(0, 2).join(' '),
    });
    expect(data.passkeys).to.have.length(1);
    expect(data.passkeys[0]).to.have.all.keys(
      'id',
      'name',
      'credential_id',
      'public_key',
      'device_type',
      'backed_up',
      'created_at',
      'last_used_at',
    );
    expect(data.passkeys[0]).to.include({
      id: registered.body.id,
      name: 'phone',
      credential_id: made.passkey.credentialId.toString('base64url'),
    });
    expect(data.passkeys[0].public_key).to.match(/^[A-Za-z0-9_-]{40,}$/);

    expect(data.blocks).to.have.length(1);
    expect(data.blocks[0]).to.have.all.keys('username', 'blocked_at');
    expect(data.blocks[0].username).to.equal(stranger.username);
    expect(Number.isNaN(Date.parse(data.blocks[0].blocked_at))).to.equal(false);
    expect(data.read_markers).to.deep.include({ room: 'lobby', last_read_id: notYours.id });

    expect(data.messages.map((m: any) => m.text)).to.deep.equal(['first words', 'second words']);
    expect(data.messages[0]).to.have.all.keys('id', 'room', 'text', 'created_at');
    expect(data.activity.map((e: any) => e.type)).to.include.members([
      'signup',
      'email_verified',
      'login',
      'logout',
      'password_reset_requested',
      'account_exported',
    ]);

    // The secrets the database holds for this account, by value: none appears anywhere.
    const text = JSON.stringify(data);
    const user = await t.db('users').where({ id }).first();
    const tokenHashes = await t.db('sessions').where({ user_id: id }).pluck('token_hash');
    const codeHashes = await t.db('email_codes').where({ user_id: id }).pluck('code_hash');
    const accessTokenHashes = await t.db('access_tokens').where({ user_id: id }).pluck('token_hash');
    // The private halves of the key and the passkey, which the server never had: by value anyway.
    const sshPrivate = sshKey.privateKey
      .split('\n')
      .filter((line) => line.length > 20 && !line.startsWith('-----'));
    const passkeyPrivate = made.passkey.privateKey.export({ format: 'jwk' }).d!;
    const secrets = [
      user.password_hash,
      ...tokenHashes,
      ...codeHashes,
      ...accessTokenHashes,
      p.password,
      p.token,
      other,
      code,
      bot.body.token,
      gone.body.token,
      ...sshPrivate,
      passkeyPrivate,
    ];
    expect(sshPrivate.length).to.be.greaterThan(0);
    expect(accessTokenHashes).to.have.length(2);
    expect(tokenHashes).to.have.length(2);
    expect(codeHashes).to.have.length(2);
    for (const secret of secrets) expect(text.includes(secret), `${secret} in the export`).to.equal(false);
    expect(text).not.to.match(/hash/i);
    expect(text).not.to.include('not yours');
    expect(text).not.to.include(stranger.email);
  });

  it('writes each message and event exactly as stored: any text, times to the millisecond', async () => {
    const p = await t.loggedInPerson('verbatim');
    const id = await userIdOf(t, p.username);
    // The database writes these pages' JSON itself (store/json-pages.ts): what JSON must escape,
    // what it must not, and times at the edges of a second, a day and a century.
    const texts = [
      'quote " backslash \\ slash / </script>',
      'tab\tnew line\ncarriage\rcontrol \u0001\u001f',
      'line separator \u2028 paragraph \u2029 emoji 🐙 accents é 中文',
      '{"not":"json"}',
      '',
    ];
    const times = [1_764_495_612_001, 1_764_460_799_999, 946_684_800_000, 4_102_444_799_999, 1];
    await t
      .db('messages')
      .insert(texts.map((text, i) => ({ room: 'lobby', user_id: id, text, created_at: times[i] })));
    await t.db('audit_events').insert(
      times.map((at, i) => ({
        user_id: id,
        type: 'login_failed',
        at,
        ip: i % 2 ? null : `10.0.0.${i}`,
        user_agent: texts[i],
      })),
    );
    const res = await t.as(p.token)('GET', '/api/account/export');
    expect(res.status).to.equal(200);
    const messages = res.body.messages.filter((m: { text: string }) => texts.includes(m.text));
    expect(messages.map((m: { text: string; created_at: string }) => [m.text, m.created_at])).to.deep.equal(
      texts.map((text, i) => [text, new Date(times[i]!).toISOString()]),
    );
    for (const m of messages) expect(m).to.have.all.keys('id', 'room', 'text', 'created_at');
    const failed = res.body.activity.filter((e: { type: string }) => e.type === 'login_failed').reverse();
    expect(
      failed.map((e: { at: string; ip: string | null; user_agent: string }) => [e.at, e.ip, e.user_agent]),
    ).to.deep.equal(
      times.map((at, i) => [new Date(at).toISOString(), i % 2 ? null : `10.0.0.${i}`, texts[i]]),
    );
    for (const e of failed) expect(e).to.have.all.keys('id', 'type', 'at', 'ip', 'user_agent');
  });
});
