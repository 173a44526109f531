import { expect } from 'chai';
import { sshLoginNamespace } from '../../../server/protocol.js';
import { auditTypes } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';
import {
  ACCEPTED_KINDS,
  makeOpensshKey,
  sshkeygenSign,
  startOpensshAgent,
  tempKeyDir,
  type OpensshAgent,
  type OpensshKey,
} from '../../helpers/openssh.js';
import { totpAt, turnOn } from '../../helpers/two-factor.js';
import type { ChatPerson } from '../../helpers/sockets.js';

describe('SSH-key login: POST /api/login/ssh/challenge and /api/login/ssh', function () {
  this.timeout(120_000);
  // Each test its own server: lockout counts and address budgets must not leak between them.
  const t = useServer({ each: true });
  const dir = tempKeyDir();
  const keys: Record<string, OpensshKey> = {};
  let agent: OpensshAgent;

  before(async () => {
    for (const [kind, args] of Object.entries(ACCEPTED_KINDS))
      keys[kind] = makeOpensshKey(dir.path, kind, args);
    keys.stranger = makeOpensshKey(dir.path, 'stranger', ['-t', 'ed25519']);
    agent = await startOpensshAgent();
    for (const kind of Object.keys(ACCEPTED_KINDS)) agent.add(keys[kind]!.path);
  });
  after(async () => {
    await agent.close();
    dir.remove();
  });

  const namespace = () => sshLoginNamespace(new URL(t.url).hostname);
  const challenge = async (username: string) => {
    const res = await t.api('POST', '/api/login/ssh/challenge', { username });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { challenge_id: string; nonce: string; expires_at: string };
  };
  const register = async (p: ChatPerson, key: OpensshKey) => {
    const res = await t.as(p.token)('POST', '/api/ssh-keys', { public_key: key.publicKey });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  };
  /** A challenge for `username` signed by `key` (its file, or the agent) and sent back. */
  const logInWith = async (
    username: string,
    key: OpensshKey,
    how: { agent?: boolean; namespace?: string; mangle?: (sig: string) => string } = {},
  ) => {
    const c = await challenge(username);
    const file = how.agent ? `${key.path}.pub` : key.path;
    const signature = sshkeygenSign(
      file,
      how.namespace ?? namespace(),
      c.nonce,
      how.agent ? agent.socket : undefined,
    );
    return t.api('POST', '/api/login/ssh', {
      challenge_id: c.challenge_id,
      public_key: key.publicKey,
      signature: how.mangle ? how.mangle(signature) : signature,
    });
  };
  const failedLogins = async (id: number) =>
    Number((await t.db('users').where({ id }).first()).failed_logins);

  it('logs in with a key of each kind, signed by a key file and by a real ssh-agent', async () => {
    const p = await t.chatPerson('sshlogin');
    for (const kind of Object.keys(ACCEPTED_KINDS)) await register(p, keys[kind]!);
    for (const kind of Object.keys(ACCEPTED_KINDS)) {
      for (const viaAgent of [false, true]) {
        const res = await logInWith(p.username, keys[kind]!, { agent: viaAgent });
        expect(res.status, `${kind} ${viaAgent ? 'agent' : 'file'}: ${JSON.stringify(res.body)}`).to.equal(
          200,
        );
        expect(res.body.user.username).to.equal(p.username);
        const me = await t.as(res.body.token)('GET', '/api/me');
        expect(me.status).to.equal(200);
        expect(me.body.user.id).to.equal(p.id);
      }
    }
    const listed = (await t.as(p.token)('GET', '/api/ssh-keys')).body.keys;
    expect(listed.every((k: { last_used_at: string | null }) => k.last_used_at !== null)).to.equal(true);
    expect(await auditTypes(t, p.id)).to.include('login');
  });

  it('answers a name without an account with the same shape, and refuses its login alike', async () => {
    const p = await t.chatPerson('sshshape');
    await register(p, keys.ed25519!);
    const known = await challenge(p.username);
    const unknown = await challenge('nobody-here');
    expect(Object.keys(unknown).sort()).to.deep.equal(Object.keys(known).sort());
    expect(unknown.nonce).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(known.nonce).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(known.expires_at) - Date.now()).to.be.within(100_000, 121_000);
    const refusedUnknown = await logInWith('nobody-here', keys.ed25519!);
    const refusedKnown = await logInWith(p.username, keys.ed25519!, { namespace: 'mux1-login@elsewhere' });
    expectError(refusedUnknown, 401, 'invalid_credentials');
    expectError(refusedKnown, 401, 'invalid_credentials');
    expect(refusedUnknown.body.error).to.equal(refusedKnown.body.error);
  });

  it('refuses a wrong namespace, a reused nonce, a truncated or altered signature, and counts them', async () => {
    const p = await t.chatPerson('sshbad');
    await register(p, keys.ed25519!);
    const ed = keys.ed25519!;
    for (const ns of ['git', 'file', 'mux1-login@example.com', `mux1-login@${new URL(t.url).host}`]) {
      expectError(await logInWith(p.username, ed, { namespace: ns }), 401, 'invalid_credentials');
    }
    expect(await failedLogins(p.id)).to.equal(4);
    // A right login clears the run; then each kind of bad signature counts again.
    expect((await logInWith(p.username, ed)).status).to.equal(200);
    expect(await failedLogins(p.id)).to.equal(0);

    const truncate = (sig: string) => {
      const lines = sig.trim().split('\n');
      return [...lines.slice(0, -2), lines.at(-2)!.slice(0, 20), lines.at(-1)].join('\n');
    };
    const flip = (sig: string) => {
      const lines = sig.trim().split('\n');
      const body = Buffer.from(lines.slice(1, -1).join(''), 'base64');
      body[body.length - 5]! ^= 1;
      return [lines[0], body.toString('base64'), lines.at(-1)].join('\n');
    };
    for (const mangle of [
      truncate,
      flip,
      (s: string) => s.replace('BEGIN SSH SIGNATURE', 'BEGIN PGP SIGNATURE'),
    ]) {
      expectError(await logInWith(p.username, ed, { mangle }), 401, 'invalid_credentials');
    }
    expect(await failedLogins(p.id)).to.equal(3);

    // A nonce works once: the same signature sent again is refused.
    const c = await challenge(p.username);
    const signature = sshkeygenSign(ed.path, namespace(), c.nonce);
    const body = { challenge_id: c.challenge_id, public_key: ed.publicKey, signature };
    expect((await t.api('POST', '/api/login/ssh', body)).status).to.equal(200);
    expectError(await t.api('POST', '/api/login/ssh', body), 401, 'invalid_credentials');
    // A signature over another challenge's nonce is refused for this one.
    const other = await challenge(p.username);
    expectError(
      await t.api('POST', '/api/login/ssh', { ...body, challenge_id: other.challenge_id }),
      401,
      'invalid_credentials',
    );
    expect(await auditTypes(t, p.id)).to.include('ssh_login_failed');
  });

  it('refuses another user’s key, and a key it does not know, without locking the account', async () => {
    const [alice, bob] = await t.chatPeople('sshalice', 'sshbob');
    await register(alice, keys.ed25519!);
    await register(bob, keys['ecdsa-p256']!);
    expectError(await logInWith(alice.username, keys['ecdsa-p256']!), 401, 'invalid_credentials');
    expectError(await logInWith(bob.username, keys.ed25519!), 401, 'invalid_credentials');
    // An agent with many keys tries them one by one: keys that prove themselves but are not the
    // account's guess at nothing, so even seven of them leave the account open.
    for (let i = 0; i < 7; i++) {
      expectError(await logInWith(alice.username, keys.stranger!), 401, 'invalid_credentials');
    }
    expect(await failedLogins(alice.id)).to.equal(0);
    expect((await logInWith(alice.username, keys.ed25519!)).status).to.equal(200);
  });

  it('locks the account after five bad signatures, as for passwords: the right key waits too', async () => {
    const p = await t.chatPerson('sshlock');
    await register(p, keys.ed25519!);
    for (let i = 0; i < 5; i++) {
      expectError(
        await logInWith(p.username, keys.ed25519!, { namespace: 'wrong' }),
        401,
        'invalid_credentials',
      );
    }
    expectError(await logInWith(p.username, keys.ed25519!), 429, 'too_many_attempts');
    // The password is locked out the same, in the same order as after wrong passwords: this
    // address owes a challenge, but a login naming a locked account is told 429 first, by its
    // username or its email, rather than asked for a challenge before the same answer.
    for (const name of [p.username, p.email]) {
      expectError(
        await t.rawApi('POST', '/api/login', { username: name, password: p.password }),
        429,
        'too_many_attempts',
      );
    }
  });

  it('counts as the first factor for a two-factor account, unless its owner lets it stand for both', async () => {
    const p = await t.chatPerson('ssh2fa');
    await register(p, keys.ed25519!);
    const { secret, backupCodes } = await turnOn(t.url, p, Date.now());
    const first = await logInWith(p.username, keys.ed25519!);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body.mfa_required).to.equal(true);
    expect(first.body.token).to.equal(undefined);
    const second = await t.api('POST', '/api/login/2fa', {
      mfa_token: first.body.mfa_token,
      code: totpAt(secret, Date.now() + 30_000),
    });
    expect(second.status, JSON.stringify(second.body)).to.equal(200);
    const session = second.body.token as string;

    const policy = (body: unknown) => t.as(session)('POST', '/api/ssh-keys/policy', body);
    const noCode = await policy({ both_factors: true, password: p.password });
    expectError(noCode, 400, 'invalid_field');
    expect(noCode.body.field).to.equal('code');
    const wrong = await policy({ both_factors: true, password: 'not the password', code: '000000' });
    expectError(wrong, 401, 'invalid_credentials');
    expectError(await policy({ both_factors: 'yes', password: p.password }), 400, 'invalid_field');
    expect((await t.as(session)('GET', '/api/ssh-keys')).body.both_factors).to.equal(false);

    const on = await policy({ both_factors: true, password: p.password, code: backupCodes[0] });
    expect(on.status, JSON.stringify(on.body)).to.equal(200);
    expect((await t.as(session)('GET', '/api/ssh-keys')).body.both_factors).to.equal(true);
    const direct = await logInWith(p.username, keys.ed25519!);
    expect(direct.status).to.equal(200);
    expect(direct.body.token).to.be.a('string');
    expect(direct.body.mfa_required).to.equal(undefined);

    // Turning it off needs no password: it only asks for more.
    expect((await policy({ both_factors: false })).status).to.equal(200);
    expect((await logInWith(p.username, keys.ed25519!)).body.mfa_required).to.equal(true);
    expect(await auditTypes(t, p.id)).to.include('ssh_key_policy_changed');
  });

  it('refuses a challenge past its two minutes', async () => {
    const p = await t.chatPerson('sshold');
    await register(p, keys.ed25519!);
    const c = await challenge(p.username);
    await t
      .db('ssh_login_challenges')
      .where({ id: c.challenge_id })
      .update({ expires_at: Date.now() - 1 });
    const signature = sshkeygenSign(keys.ed25519!.path, namespace(), c.nonce);
    expectError(
      await t.api('POST', '/api/login/ssh', {
        challenge_id: c.challenge_id,
        public_key: keys.ed25519!.publicKey,
        signature,
      }),
      401,
      'invalid_credentials',
    );
  });
});

describe('SSH-key login behind PUBLIC_URL: the namespace names its host alone', function () {
  this.timeout(60_000);
  const t = useServer({ env: { PUBLIC_URL: 'https://chat.example.test:8443' } });
  const dir = tempKeyDir();
  after(() => dir.remove());

  it('takes mux1-login@chat.example.test, and refuses the address it listens on', async () => {
    const p = await t.chatPerson('sshpublic');
    const key = makeOpensshKey(dir.path, 'public', ['-t', 'ed25519']);
    expect((await t.as(p.token)('POST', '/api/ssh-keys', { public_key: key.publicKey })).status).to.equal(
      201,
    );
    const attempt = async (namespace: string) => {
      const c = (await t.api('POST', '/api/login/ssh/challenge', { username: p.username })).body;
      const signature = sshkeygenSign(key.path, namespace, c.nonce);
      return t.api('POST', '/api/login/ssh', {
        challenge_id: c.challenge_id,
        public_key: key.publicKey,
        signature,
      });
    };
    expectError(await attempt(sshLoginNamespace(new URL(t.url).hostname)), 401, 'invalid_credentials');
    expectError(await attempt('mux1-login@localhost'), 401, 'invalid_credentials');
    expectError(await attempt('mux1-login@chat.example.test:8443'), 401, 'invalid_credentials');
    expect((await attempt('mux1-login@chat.example.test')).status).to.equal(200);
  });
});
