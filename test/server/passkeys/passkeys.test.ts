import { expect } from 'chai';
import { PASSKEYS } from '../../../server/protocol.js';
import { auditTypes } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer, type ServerFixture } from '../../helpers/fixture.js';
import { assertPasskey, createPasskey, type SoftPasskey } from '../../helpers/passkeys.js';
import { turnOn } from '../../helpers/two-factor.js';

/*
 * Passkeys over REST with a software authenticator (test/helpers/passkeys.ts) that sends what a
 * browser sends, so @simplewebauthn/server's real checks run: registration by a signed-in person,
 * sign-in with no name typed, and every refusal a stolen or replayed answer should meet.
 * The page and Chromium's own authenticator: test/system/passkeys-page.test.ts.
 */

/** The page's origin for a server without PUBLIC_URL: its loopback port, named localhost. */
const pageOrigin = (t: ServerFixture) => t.url.replace('127.0.0.1', 'localhost');

async function register(
  t: ServerFixture,
  token: string,
  opts: { name?: string; origin?: string } = {},
): Promise<{ passkey: SoftPasskey; res: Awaited<ReturnType<ServerFixture['api']>> }> {
  const options = await t.as(token)('POST', '/api/passkeys/register/options');
  expect(options.status, JSON.stringify(options.body)).to.equal(200);
  const made = createPasskey(options.body.options, opts.origin ?? pageOrigin(t));
  const res = await t.as(token)('POST', '/api/passkeys/register', {
    challenge_id: options.body.challenge_id,
    credential: made.credential,
    ...(opts.name === undefined ? {} : { name: opts.name }),
  });
  return { passkey: made.passkey, res };
}

async function signIn(
  t: ServerFixture,
  passkey: SoftPasskey,
  opts: Parameters<typeof assertPasskey>[3] & { origin?: string } = {},
) {
  const options = await t.api('POST', '/api/login/passkey/options');
  expect(options.status, JSON.stringify(options.body)).to.equal(200);
  const credential = assertPasskey(
    passkey,
    options.body.options.challenge,
    opts.origin ?? pageOrigin(t),
    opts,
  );
  const body = { challenge_id: options.body.challenge_id, credential };
  return { res: await t.api('POST', '/api/login/passkey', body), body };
}

describe('passkeys: registration, list, rename, remove, sign-in', function () {
  this.timeout(60_000);
  const t = useServer({ mail: true, env: { LIMIT_FAILED_LOGINS_PER_10MIN: '1000' } });

  it('registers a discoverable passkey with user verification required, mails the owner, lists and renames it', async () => {
    const p = await t.chatPerson('pkowner');
    const options = await t.as(p.token)('POST', '/api/passkeys/register/options');
    expect(options.status).to.equal(200);
    expect(options.body.challenge_id).to.match(/^pkc_[0-9a-f]{32}$/);
    const o = options.body.options;
    expect(o.rp).to.deep.equal({ name: 'mux1', id: 'localhost' });
    expect(o.user.name).to.equal(p.username);
    expect(o.user.id, 'a random handle, not the username or the id').not.to.include(p.username);
    expect(o.authenticatorSelection).to.include({ residentKey: 'required', userVerification: 'required' });
    expect(o.attestation).to.equal('none');

    const { res } = await register(t, p.token, { name: 'laptop' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.id).to.match(/^pk_[0-9a-f]{32}$/);
    expect(res.body).to.include({ name: 'laptop', device_type: 'singleDevice', backed_up: false });
    expect(res.body.last_used_at).to.equal(null);
    const mail = await t.mail.waitFor((m) => m.to === p.email && m.subject.includes('passkey'));
    expect(mail.subject).to.equal('A passkey was added to your mux1 account');
    expect(mail.text).to.include('"laptop"');

    const renamed = await t.as(p.token)('PATCH', `/api/passkeys/${res.body.id}`, { name: 'work laptop' });
    expect(renamed.status, JSON.stringify(renamed.body)).to.equal(200);
    expect(renamed.body.name).to.equal('work laptop');
    const list = await t.as(p.token)('GET', '/api/passkeys');
    expect(list.status).to.equal(200);
    expect(list.body.passkeys).to.have.length(1);
    expect(Object.keys(list.body.passkeys[0]).sort()).to.deep.equal(
      ['backed_up', 'created_at', 'device_type', 'id', 'last_used_at', 'name'].sort(),
    );
    expect(list.body.passkeys[0].name).to.equal('work laptop');
    // The next registration's options name it, so the same authenticator does not make a second.
    const again = await t.as(p.token)('POST', '/api/passkeys/register/options');
    expect(again.body.options.excludeCredentials).to.have.length(1);
    expect(again.body.options.user.id, 'one handle per account').to.equal(o.user.id);
    expect(await auditTypes(t, p.id)).to.include.members(['passkey_added', 'passkey_renamed']);
  });

  it('signs in with no name typed, as two factors: no code step even with two-factor sign-in on', async () => {
    const p = await t.chatPerson('pksignin');
    await turnOn(t.url, p, Date.now());
    const { passkey, res } = await register(t, p.token);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);

    const options = await t.api('POST', '/api/login/passkey/options');
    expect(options.status).to.equal(200);
    expect(options.headers.get('cache-control')).to.equal('no-store');
    expect(options.body.options.userVerification).to.equal('required');
    expect(options.body.options.rpId).to.equal('localhost');
    expect(options.body.options.allowCredentials ?? [], 'discoverable: no list').to.deep.equal([]);

    const { res: login } = await signIn(t, passkey);
    expect(login.status, JSON.stringify(login.body)).to.equal(200);
    expect(login.body.mfa_required).to.equal(undefined);
    expect(login.body.user).to.deep.equal({ id: p.id, username: p.username, email: p.email });
    const me = await t.as(login.body.token)('GET', '/api/me');
    expect(me.status).to.equal(200);
    const stored = await t.db('passkeys').where({ user_id: p.id }).first();
    expect(Number(stored.counter), 'the counter is kept').to.equal(1);
    expect(Number(stored.last_used_at)).to.be.greaterThan(0);
    expect(await auditTypes(t, p.id)).to.include('passkey_login');

    // Removed: it signs in no more.
    const id = (await t.as(p.token)('GET', '/api/passkeys')).body.passkeys[0].id;
    expect((await t.as(p.token)('DELETE', `/api/passkeys/${id}`)).status).to.equal(204);
    expectError(await t.as(p.token)('DELETE', `/api/passkeys/${id}`), 404, 'not_found');
    expectError((await signIn(t, passkey)).res, 401, 'invalid_credentials');
    expect(await auditTypes(t, p.id)).to.include('passkey_removed');
    // A removed passkey names no account any more: its failure is noted without one.
    const failed = await t.db('audit_events').where({ type: 'passkey_login_failed', user_id: null });
    expect(failed).to.have.length.above(0);
  });

  it('refuses a replayed sign-in, an unknown credential, a counter that goes back, and no user verification', async () => {
    const p = await t.chatPerson('pkreplay');
    const { passkey } = await register(t, p.token);
    const { res, body } = await signIn(t, passkey);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    // The same answer again: its challenge was used.
    expectError(await t.api('POST', '/api/login/passkey', body), 401, 'invalid_credentials');

    // A passkey this server never registered (made for another account's options, never sent).
    const options = await t.as(p.token)('POST', '/api/passkeys/register/options');
    const stranger = createPasskey(options.body.options, pageOrigin(t)).passkey;
    expectError((await signIn(t, stranger)).res, 401, 'invalid_credentials');

    // A copy of the authenticator that lags behind: its counter does not go forward.
    expectError((await signIn(t, passkey, { counter: 1 })).res, 401, 'invalid_credentials');
    // Presence without verification is one factor: refused.
    expectError((await signIn(t, passkey, { verified: false })).res, 401, 'invalid_credentials');
    // Signed by the right key, but naming another account's handle.
    expectError((await signIn(t, passkey, { userHandle: 'AAAA' })).res, 401, 'invalid_credentials');
    expect((await signIn(t, passkey)).res.status, 'still works when all is right').to.equal(200);
  });

  it('refuses another origin and another RP id, at registration and at sign-in', async () => {
    const p = await t.chatPerson('pkorigin');
    const evil = 'https://mux1.evil.test';
    const { res } = await register(t, p.token, { origin: evil });
    expectError(res, 400, 'invalid_field', 'credential');
    const { res: ip } = await register(t, p.token, { origin: t.url });
    expectError(ip, 400, 'invalid_field', 'credential');
    const options = await t.as(p.token)('POST', '/api/passkeys/register/options');
    const otherRp = createPasskey(options.body.options, pageOrigin(t), { rpId: 'evil.test' });
    expectError(
      await t.as(p.token)('POST', '/api/passkeys/register', {
        challenge_id: options.body.challenge_id,
        credential: otherRp.credential,
      }),
      400,
      'invalid_field',
    );
    expect((await t.as(p.token)('GET', '/api/passkeys')).body.passkeys).to.deep.equal([]);

    const { passkey } = await register(t, p.token);
    expectError((await signIn(t, passkey, { origin: evil })).res, 401, 'invalid_credentials');
    // Whoever sent the phishing page's answer on does not get a second try with it either.
    expect((await signIn(t, passkey)).res.status).to.equal(200);
  });

  it('uses a registration challenge once, for its own user only, and not after it expired', async () => {
    const [a, b] = await t.chatPeople('pkchala', 'pkchalb');
    const options = await t.as(a.token)('POST', '/api/passkeys/register/options');
    const made = createPasskey(options.body.options, pageOrigin(t));
    const body = { challenge_id: options.body.challenge_id, credential: made.credential };
    // Another user's challenge: refused (and it stays unused for its owner).
    expectError(await t.as(b.token)('POST', '/api/passkeys/register', body), 400, 'invalid_field');
    expect((await t.as(a.token)('POST', '/api/passkeys/register', body)).status).to.equal(201);
    expectError(await t.as(a.token)('POST', '/api/passkeys/register', body), 400, 'invalid_field');

    const late = await t.as(a.token)('POST', '/api/passkeys/register/options');
    await t
      .db('passkey_challenges')
      .where({ id: late.body.challenge_id })
      .update({ expires_at: Date.now() - 1 });
    const lateBody = {
      challenge_id: late.body.challenge_id,
      credential: createPasskey(late.body.options, pageOrigin(t)).credential,
    };
    expectError(await t.as(a.token)('POST', '/api/passkeys/register', lateBody), 400, 'invalid_field');

    // A sign-in challenge is not a registration challenge...
    const login = await t.api('POST', '/api/login/passkey/options');
    const crossed = createPasskey(
      { ...late.body.options, challenge: login.body.options.challenge },
      pageOrigin(t),
    );
    expectError(
      await t.as(a.token)('POST', '/api/passkeys/register', {
        challenge_id: login.body.challenge_id,
        credential: crossed.credential,
      }),
      400,
      'invalid_field',
    );
    // ...nor the other way round.
    const fresh = await t.as(a.token)('POST', '/api/passkeys/register/options');
    const registered = await t.db('passkeys').where({ user_id: a.id }).first();
    const soft = made.passkey;
    expect(registered.credential_id).to.equal(soft.credentialId.toString('base64url'));
    const credential = assertPasskey(soft, fresh.body.options.challenge, pageOrigin(t));
    expectError(
      await t.api('POST', '/api/login/passkey', { challenge_id: fresh.body.challenge_id, credential }),
      401,
      'invalid_credentials',
    );
  });

  it('keeps a credential to one account, at most 20 to a user, and a name within its rules', async () => {
    const p = await t.chatPerson('pkmany');
    const options = await t.as(p.token)('POST', '/api/passkeys/register/options');
    const made = createPasskey(options.body.options, pageOrigin(t));
    const first = await t.as(p.token)('POST', '/api/passkeys/register', {
      challenge_id: options.body.challenge_id,
      credential: made.credential,
    });
    expect(first.status).to.equal(201);
    expect(first.body.name, 'a default name').to.equal('Passkey');
    // The same credential through a new challenge: the server already has it.
    const again = await t.as(p.token)('POST', '/api/passkeys/register/options');
    const fresh = createPasskey(again.body.options, pageOrigin(t)).credential;
    const clientDataJSON = (fresh.response as { clientDataJSON: string }).clientDataJSON;
    const replayed = await t.as(p.token)('POST', '/api/passkeys/register', {
      challenge_id: again.body.challenge_id,
      credential: {
        ...made.credential,
        response: { ...(made.credential.response as object), clientDataJSON },
      },
    });
    expectError(replayed, 409, 'passkey_taken');

    for (let i = 1; i < PASSKEYS.maxPerUser; i++) {
      const { res } = await register(t, p.token, { name: `key ${i}` });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    const over = await t.as(p.token)('POST', '/api/passkeys/register/options');
    expectError(over, 409, 'too_many_passkeys');
    expect(over.body.error).to.include('20');

    const id = first.body.id as string;
    for (const name of ['', '   ', 'x'.repeat(PASSKEYS.nameMax + 1), 'a\u0007b', 12, null]) {
      expectError(
        await t.as(p.token)('PATCH', `/api/passkeys/${id}`, { name }),
        400,
        'invalid_field',
        'name',
      );
    }
    const other = await t.chatPerson('pkother');
    expectError(await t.as(other.token)('PATCH', `/api/passkeys/${id}`, { name: 'mine' }), 404, 'not_found');
    expectError(await t.as(other.token)('DELETE', `/api/passkeys/${id}`), 404, 'not_found');
    expectError(await t.as(other.token)('DELETE', '/api/passkeys/not-an-id'), 404, 'not_found');
    expect((await t.as(p.token)('GET', '/api/passkeys')).body.passkeys).to.have.length(20);
  });

  it('is managed by a signed-in person only: a token, whatever its scopes, cannot register or list', async () => {
    const p = await t.chatPerson('pktoken');
    const made = await t.as(p.token)('POST', '/api/tokens', {
      name: 'all',
      scopes: ['profile:read', 'chat:read', 'chat:write'],
    });
    const token = made.body.token as string;
    expectError(await t.as(token)('POST', '/api/passkeys/register/options'), 403, 'insufficient_scope');
    const options = await t.as(p.token)('POST', '/api/passkeys/register/options');
    const credential = createPasskey(options.body.options, pageOrigin(t)).credential;
    const body = { challenge_id: options.body.challenge_id, credential };
    expectError(await t.as(token)('POST', '/api/passkeys/register', body), 403, 'insufficient_scope');
    expectError(await t.as(token)('GET', '/api/passkeys'), 403, 'insufficient_scope');
    expectError(await t.api('GET', '/api/passkeys'), 401, 'unauthorized');
    expectError(await t.api('POST', '/api/passkeys/register/options'), 401, 'unauthorized');
    expectError(await t.api('POST', '/api/passkeys/register', body), 401, 'unauthorized');
    // The challenge the token could not use still works for the session.
    expect((await t.as(p.token)('POST', '/api/passkeys/register', body)).status).to.equal(201);
  });

  it('refuses a disabled account (after the passkey proved right) and a locked one', async () => {
    const p = await t.chatPerson('pkdisabled');
    const { passkey } = await register(t, p.token);
    await t.db('users').where({ id: p.id }).update({ disabled_at: Date.now() });
    expectError((await signIn(t, passkey)).res, 403, 'account_disabled');
    await t.db('users').where({ id: p.id }).update({ disabled_at: null });
    await t.db('users').where({ id: p.id }).update({ failed_logins: 5, last_failed_login_at: Date.now() });
    expectError((await signIn(t, passkey)).res, 429, 'too_many_attempts');
    await t.db('users').where({ id: p.id }).update({ failed_logins: 0, last_failed_login_at: null });
    expect((await signIn(t, passkey)).res.status).to.equal(200);
  });

  it('refuses hostile credentials with the field named, and stores nothing', async () => {
    const p = await t.chatPerson('pkhostile');
    const huge = 'A'.repeat(PASSKEYS.fieldMax + 1);
    type Credential = Record<string, unknown> & { response: Record<string, unknown> };
    // Each spoils a credential that is right in every other way, for a fresh challenge of its own.
    const cases: ((good: Credential) => unknown)[] = [
      () => undefined,
      () => null,
      () => 'a string',
      () => [],
      (good) => ({ ...good, id: '' }),
      (good) => ({ ...good, id: 'not base64url!' }),
      (good) => ({ ...good, type: 'password' }),
      (good) => ({ ...good, response: null }),
      (good) => ({ ...good, response: { clientDataJSON: huge } }),
      (good) => ({ ...good, response: { ...good.response, transports: 'internal' } }),
      (good) => ({ ...good, response: { ...good.response, attestationObject: 'AAAA' } }),
      (good) => ({ ...good, response: { ...good.response, clientDataJSON: 'e30' } }),
      (good) => ({ ...good, rawId: 'AAAA' }),
    ];
    for (const spoil of cases) {
      const options = await t.as(p.token)('POST', '/api/passkeys/register/options');
      const good = createPasskey(options.body.options, pageOrigin(t)).credential as Credential;
      const credential = spoil(good);
      const res = await t.as(p.token)('POST', '/api/passkeys/register', {
        challenge_id: options.body.challenge_id,
        credential,
      });
      expectError(res, 400, 'invalid_field');
      expect(res.body.field, JSON.stringify(credential)?.slice(0, 80)).to.match(/^credential/);
    }
    const login = await t.api('POST', '/api/login/passkey/options');
    const good = createPasskey(
      (await t.as(p.token)('POST', '/api/passkeys/register/options')).body.options,
      pageOrigin(t),
    ).credential;
    const res = await t.api('POST', '/api/login/passkey', {
      challenge_id: login.body.challenge_id,
      credential: {
        ...good,
        response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
      },
    });
    expectError(res, 401, 'invalid_credentials');
    expect(await t.db('passkeys').where({ user_id: p.id })).to.deep.equal([]);
  });
});

describe('passkeys behind PUBLIC_URL', function () {
  this.timeout(60_000);
  const t = useServer({ env: { PUBLIC_URL: 'https://chat.example.test' } });

  it('bind to its host and accept its origin only', async () => {
    const p = await t.chatPerson('pkpublic');
    const options = await t.as(p.token)('POST', '/api/passkeys/register/options');
    expect(options.body.options.rp.id).to.equal('chat.example.test');
    const local = createPasskey(options.body.options, pageOrigin(t));
    expectError(
      await t.as(p.token)('POST', '/api/passkeys/register', {
        challenge_id: options.body.challenge_id,
        credential: local.credential,
      }),
      400,
      'invalid_field',
    );
    const { res, passkey } = await register(t, p.token, { origin: 'https://chat.example.test' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect((await signIn(t, passkey, { origin: 'https://chat.example.test' })).res.status).to.equal(200);
    expectError(
      (await signIn(t, passkey, { origin: 'https://chat.example.test:8443' })).res,
      401,
      'invalid_credentials',
    );
  });
});

describe('passkeys when the account is deleted', function () {
  this.timeout(60_000);
  const t = useServer();

  it('go with it, and sign in to nothing', async () => {
    const p = await t.chatPerson('pkgone');
    const { passkey, res } = await register(t, p.token);
    expect(res.status).to.equal(201);
    const deleted = await t.as(p.token)('DELETE', '/api/account', { password: p.password });
    expect(deleted.status, JSON.stringify(deleted.body)).to.equal(204);
    expect(await t.db('passkeys').where({ user_id: p.id })).to.deep.equal([]);
    expect(await t.db('passkey_challenges').where({ user_id: p.id })).to.deep.equal([]);
    expectError((await signIn(t, passkey)).res, 401, 'invalid_credentials');
  });
});
