import { expect } from 'chai';
import { sshLoginNamespace } from '../../../server/protocol.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { personWithRole } from '../../helpers/admin.js';
import { expectError } from '../../helpers/errors.js';
import { freePort } from '../../helpers/ports.js';
import { providerEntry, startOidcProvider, type TestProvider } from '../../helpers/oidc-provider.js';
import { signInThroughProvider } from '../../helpers/oidc-signin.js';
import { makeOpensshKey, sshkeygenSign, tempKeyDir, type OpensshKey } from '../../helpers/openssh.js';
import { ask, connect, type ChatPerson } from '../../helpers/sockets.js';
import { totpAt, turnOn } from '../../helpers/two-factor.js';

/*
 * An account an admin disabled gets no session by any way in: a password (REST and the socket's
 * authenticate), the second factor after a password, a device login approved before the disable,
 * an SSH key, and an identity provider (with and without two-factor sign-in). Each answers 403
 * account_disabled to whoever proved the credential, and no session row is written: every one of
 * them goes through sessionForSignIn (server/accounts/deactivation.ts), which refuses first.
 */
describe('a disabled account gets no session by any sign-in', function () {
  this.timeout(90_000);
  let idp: TestProvider;
  const t = useServer({
    env: async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      idp = await startOidcProvider({
        port: await freePort(),
        redirectUris: [`${url}/api/oidc/testid/callback`],
      });
      return {
        ...MANY_SIGNUPS,
        PORT: String(port),
        PUBLIC_URL: url,
        OIDC_PROVIDERS: JSON.stringify([providerEntry(idp)]),
      };
    },
  });
  const keys = tempKeyDir();
  let key: OpensshKey;
  let admin: ChatPerson;

  before(async () => {
    admin = await personWithRole(t, 'admin', 'disabler');
    key = makeOpensshKey(keys.path, 'disabled-key', ['-t', 'ed25519']);
  });
  after(async () => {
    keys.remove();
    await idp?.close();
  });

  const disable = async (p: { id: number }) => {
    const res = await t.as(admin.token)('PATCH', `/api/admin/users/${p.id}`, { disabled: true });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  };
  /** Every session row the account has, live or ended: a refused sign-in adds none. */
  const sessionRows = async (userId: number) =>
    Number((await t.db('sessions').where({ user_id: userId }).count({ n: '*' }).first())?.n);
  /** Runs `attempt` against a disabled account and checks that no session row came of it. */
  const noNewSession = async <R>(userId: number, attempt: () => Promise<R>): Promise<R> => {
    const before = await sessionRows(userId);
    const result = await attempt();
    expect(await sessionRows(userId), 'no session row').to.equal(before);
    return result;
  };

  it('refuses the right password over REST and over the socket, 403 account_disabled', async () => {
    const p = await t.chatPerson('dispw');
    await disable(p);
    const res = await noNewSession(p.id, () => t.logIn(p.username, p.password));
    expectError(res, 403, 'account_disabled');
    expect(res.body).to.not.have.property('token');
    expect(res.body).to.not.have.property('mfa_token');
    const guest = await connect(t.url);
    const ack = await noNewSession(p.id, () =>
      ask(guest.socket, 'authenticate', { username: p.username, password: p.password }),
    );
    expect(ack).to.include({ ok: false, code: 'account_disabled' });
  });

  it('refuses the second factor of a login whose password came before the disable', async () => {
    const p = await t.chatPerson('dis2fa');
    const { secret } = await turnOn(t.url, p, Date.now());
    const first = await t.logIn(p.username, p.password);
    expect(first.body.mfa_required).to.equal(true);
    await disable(p);
    const second = await noNewSession(p.id, () =>
      t.api('POST', '/api/login/2fa', {
        mfa_token: first.body.mfa_token,
        // The next step's code: turnOn used this step's.
        code: totpAt(secret, Date.now() + 30_000),
      }),
    );
    expectError(second, 403, 'account_disabled');
    expect(second.body).to.not.have.property('token');
  });

  it('refuses the poll of a device login approved before the disable, and spends the code', async () => {
    const p = await t.chatPerson('disdev');
    const codes = await t.api('POST', '/api/device/code', { client_name: 'terminal of a disabled account' });
    expect(codes.status).to.equal(200);
    const approved = await t.as(p.token)('POST', '/api/device/approve', {
      user_code: codes.body.user_code,
      approve: true,
    });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    await disable(p);
    const poll = () => t.api('POST', '/api/device/token', { device_code: codes.body.device_code });
    const refused = await noNewSession(p.id, poll);
    expectError(refused, 403, 'account_disabled');
    expect(refused.body).to.not.have.property('token');
    // Spent: enabling the account again does not bring the terminal's session back.
    await t.as(admin.token)('PATCH', `/api/admin/users/${p.id}`, { disabled: false });
    expectError(await noNewSession(p.id, poll), 400, 'expired_token');
  });

  it('refuses an SSH-key login with the account’s key, and a key not its own as always', async () => {
    const p = await t.chatPerson('disssh');
    const added = await t.as(p.token)('POST', '/api/ssh-keys', { public_key: key.publicKey });
    expect(added.status, JSON.stringify(added.body)).to.equal(201);
    await disable(p);
    const withKey = async (signWith: OpensshKey) => {
      const c = await t.api('POST', '/api/login/ssh/challenge', { username: p.username });
      expect(c.status).to.equal(200);
      const namespace = sshLoginNamespace(new URL(t.url).hostname);
      return t.api('POST', '/api/login/ssh', {
        challenge_id: c.body.challenge_id,
        public_key: signWith.publicKey,
        signature: sshkeygenSign(signWith.path, namespace, c.body.nonce),
      });
    };
    const res = await noNewSession(p.id, () => withKey(key));
    expectError(res, 403, 'account_disabled');
    expect(res.body).to.not.have.property('token');
    // Someone else's key proves nothing about this account: the usual refusal, nothing said.
    const stranger = makeOpensshKey(keys.path, 'stranger-key', ['-t', 'ed25519']);
    expectError(await noNewSession(p.id, () => withKey(stranger)), 401, 'invalid_credentials');
  });

  it('refuses a sign-in through the provider an account was made with', async () => {
    const signup = await signInThroughProvider(t.url, idp, 'testid', 'carol-disabled');
    expect(signup.ticket, signup.location).to.be.a('string');
    const made = await t.api(
      'POST',
      '/api/oidc/signup',
      { ticket: signup.ticket, username: 'carol_disabled' },
      { cookie: signup.cookie },
    );
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const id = Number(made.body.user.id);
    await disable({ id });

    const again = await signInThroughProvider(t.url, idp, 'testid', 'carol-disabled');
    expect(again.ticket, again.location).to.be.a('string');
    const res = await noNewSession(id, () =>
      t.api('POST', '/api/oidc/complete', { ticket: again.ticket }, { cookie: again.cookie }),
    );
    expectError(res, 403, 'account_disabled');
    expect(res.body).to.not.have.property('token');
    // The ticket was spent on the refusal: it opens nothing once the account is enabled again.
    await t.as(admin.token)('PATCH', `/api/admin/users/${id}`, { disabled: false });
    const reused = await noNewSession(id, () =>
      t.api('POST', '/api/oidc/complete', { ticket: again.ticket }, { cookie: again.cookie }),
    );
    expectError(reused, 400, 'invalid_oidc_state');
  });

  it('refuses a provider sign-in before the second step: no mfa_token for a disabled account', async () => {
    const p = await t.chatPerson('disidp2fa');
    await t.db('identities').insert({
      user_id: p.id,
      provider: 'testid',
      issuer: idp.issuer,
      subject: 'dave-disabled',
      email: null,
      created_at: Date.now(),
    });
    await turnOn(t.url, p, Date.now());
    // Linked and with two factors, the provider leads to the code step while the account is enabled.
    const enabled = await signInThroughProvider(t.url, idp, 'testid', 'dave-disabled');
    const step = await t.api(
      'POST',
      '/api/oidc/complete',
      { ticket: enabled.ticket },
      { cookie: enabled.cookie },
    );
    expect(step.body, JSON.stringify(step.body)).to.include({ outcome: 'mfa_required' });

    await disable(p);
    const before = await t.db('mfa_logins').where({ user_id: p.id }).count({ n: '*' }).first();
    const again = await signInThroughProvider(t.url, idp, 'testid', 'dave-disabled');
    const res = await noNewSession(p.id, () =>
      t.api('POST', '/api/oidc/complete', { ticket: again.ticket }, { cookie: again.cookie }),
    );
    expectError(res, 403, 'account_disabled');
    expect(res.body).to.not.have.property('mfa_token');
    const after = await t.db('mfa_logins').where({ user_id: p.id }).count({ n: '*' }).first();
    expect(Number(after?.n), 'no pending second step').to.equal(Number(before?.n));
  });
});
