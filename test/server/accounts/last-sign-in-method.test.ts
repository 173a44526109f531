import { expect } from 'chai';
import { expectError } from '../../helpers/errors.js';
import { useServer, type ServerFixture } from '../../helpers/fixture.js';
import { createPasskey } from '../../helpers/passkeys.js';
import { makeKeyPair } from '../../helpers/ssh-keys.js';
import { auditTypes } from '../../helpers/accounts.js';

/*
 * An account without a password (made through an identity provider: users.password_unset) signs
 * in only with what it has linked or registered - identities, passkeys, SSH keys - and must keep
 * one of them: removing the last is refused 409 `last_sign_in_method`, whichever kind it is, and
 * one of another kind is as good a way in as one of the same.
 */
describe('REST: the last way to sign in stays (passkeys, SSH keys, identities)', function () {
  this.timeout(60_000);
  const t = useServer({ mail: true });

  const pageOrigin = () => t.url.replace('127.0.0.1', 'localhost');
  const addPasskey = async (token: string): Promise<string> => {
    const options = await t.as(token)('POST', '/api/passkeys/register/options');
    const made = createPasskey(options.body.options, pageOrigin());
    const res = await t.as(token)('POST', '/api/passkeys/register', {
      challenge_id: options.body.challenge_id,
      credential: made.credential,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  };
  const addSshKey = async (token: string): Promise<string> => {
    const res = await t.as(token)('POST', '/api/ssh-keys', { public_key: makeKeyPair().publicKey });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  };
  const addIdentity = async (userId: number, subject: string): Promise<number> => {
    await t.db('identities').insert({
      user_id: userId,
      provider: 'elsewhere',
      issuer: 'https://id.example.test',
      subject,
      email: null,
      created_at: Date.now(),
    });
    return Number((await t.db('identities').where({ subject }).first()).id);
  };
  /** A signed-in person whose account has no password, as one made through a provider has. */
  const withoutPassword = async (name: string) => {
    const p = await t.loggedInPerson(name);
    const user = await t.db('users').where({ username: p.username }).first();
    await t.db('users').where({ id: user.id }).update({ password_unset: true });
    return { ...p, id: Number(user.id) };
  };
  const remove = (token: string, what: 'passkeys' | 'ssh-keys' | 'identities', id: string | number) =>
    t.as(token)('DELETE', `/api/${what}/${id}`);
  const refusedAsLast = (res: Awaited<ReturnType<ServerFixture['api']>>) => {
    expectError(res, 409, 'last_sign_in_method');
    expect(res.body.error).to.match(/only way to sign in/);
  };

  it('keeps the only passkey, and the only SSH key, of an account without a password', async () => {
    const p = await withoutPassword('lastpk');
    const passkey = await addPasskey(p.token);
    refusedAsLast(await remove(p.token, 'passkeys', passkey));
    expect((await t.as(p.token)('GET', '/api/passkeys')).body.passkeys).to.have.length(1);

    // An SSH key is another way in: then the passkey may go, and the key is the last.
    const key = await addSshKey(p.token);
    expect((await remove(p.token, 'passkeys', passkey)).status).to.equal(204);
    refusedAsLast(await remove(p.token, 'ssh-keys', key));
    expect((await t.as(p.token)('GET', '/api/ssh-keys')).body.keys).to.have.length(1);

    // Two keys: either may go, then the last stays again.
    const second = await addSshKey(p.token);
    expect((await remove(p.token, 'ssh-keys', key)).status).to.equal(204);
    refusedAsLast(await remove(p.token, 'ssh-keys', second));
    // A refused removal is not audited as one.
    expect((await auditTypes(t, p.id)).filter((type) => type === 'ssh_key_removed')).to.have.length(1);
  });

  it('counts identities, passkeys and SSH keys together', async () => {
    const p = await withoutPassword('lastmixed');
    const identity = await addIdentity(p.id, `lastmixed-${Date.now()}`);
    refusedAsLast(await remove(p.token, 'identities', identity));
    // A passkey is a way in too: the identity may go, and then the passkey may not.
    const passkey = await addPasskey(p.token);
    expect((await remove(p.token, 'identities', identity)).status).to.equal(204);
    refusedAsLast(await remove(p.token, 'passkeys', passkey));
    // And an identity keeps the account open for its last passkey.
    await addIdentity(p.id, `lastmixed2-${Date.now()}`);
    expect((await remove(p.token, 'passkeys', passkey)).status).to.equal(204);
  });

  it('lets only one of two removals at once take the last two ways in', async () => {
    for (let round = 0; round < 5; round++) {
      const p = await withoutPassword(`lastrace${round}x`);
      const [passkey, key] = [await addPasskey(p.token), await addSshKey(p.token)];
      const answers = await Promise.all([
        remove(p.token, 'passkeys', passkey),
        remove(p.token, 'ssh-keys', key),
      ]);
      expect(answers.map((res) => res.status).sort(), `round ${round}`).to.deep.equal([204, 409]);
      const count = async (table: string) =>
        Number((await t.db(table).where({ user_id: p.id }).count({ n: '*' }).first())!.n);
      expect((await count('passkeys')) + (await count('ssh_keys'))).to.equal(1);
    }
  });

  it('lets an account with a password remove every passkey and SSH key', async () => {
    const p = await t.loggedInPerson('lastpw');
    const passkey = await addPasskey(p.token);
    const key = await addSshKey(p.token);
    expect((await remove(p.token, 'passkeys', passkey)).status).to.equal(204);
    expect((await remove(p.token, 'ssh-keys', key)).status).to.equal(204);
  });

  it('answers another user’s or a malformed id 404 before any last-way check', async () => {
    const [p, other] = [await withoutPassword('lastnf'), await t.loggedInPerson('lastnfother')];
    await addPasskey(p.token);
    const theirs = await addSshKey(other.token);
    for (const id of [theirs, 'key_' + '0'.repeat(32), 'pk_' + '0'.repeat(32), '%00', 'x'.repeat(300)]) {
      expectError(await remove(p.token, 'ssh-keys', id), 404, 'not_found');
      expectError(await remove(p.token, 'passkeys', id), 404, 'not_found');
    }
  });
});
