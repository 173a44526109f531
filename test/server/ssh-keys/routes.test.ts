import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { SSH_KEYS } from '../../../server/protocol.js';
import { auditTypes } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';
import { ACCEPTED_KINDS, makeOpensshKey, tempKeyDir, type OpensshKey } from '../../helpers/openssh.js';
import { makeKeyPair } from '../../helpers/ssh-keys.js';

describe('SSH keys: POST/GET/DELETE /api/ssh-keys', function () {
  this.timeout(60_000);
  const t = useServer({ mail: true });
  const dir = tempKeyDir();
  const keys: Record<string, OpensshKey> = {};

  before(() => {
    for (const [kind, args] of Object.entries(ACCEPTED_KINDS))
      keys[kind] = makeOpensshKey(dir.path, kind, args);
  });
  after(() => dir.remove());

  const add = (session: string, body: unknown) => t.as(session)('POST', '/api/ssh-keys', body);

  it('adds a key of each accepted kind with the fingerprint ssh-keygen -lf prints, lists, mails, removes', async () => {
    const p = await t.chatPerson('keyowner');
    for (const [kind, key] of Object.entries(keys)) {
      const res = await add(p.token, { public_key: key.publicKey + '\n' });
      expect(res.status, `${kind}: ${JSON.stringify(res.body)}`).to.equal(201);
      expect(res.body.fingerprint, kind).to.equal(key.fingerprint);
      expect(res.body.name, 'the comment names it').to.equal(`${kind}@test`);
      expect(res.body.id).to.match(/^key_[0-9a-f]{32}$/);
      const mail = await t.mail.waitFor((m) => m.to === p.email && m.text.includes(key.fingerprint));
      expect(mail.subject).to.equal('An SSH key was added to your mux1 account');
    }
    const list = await t.as(p.token)('GET', '/api/ssh-keys');
    expect(list.status).to.equal(200);
    expect(list.body.both_factors).to.equal(false);
    expect(list.body.keys.map((k: { fingerprint: string }) => k.fingerprint).sort()).to.deep.equal(
      Object.values(keys)
        .map((k) => k.fingerprint)
        .sort(),
    );
    const bits = Object.fromEntries(
      list.body.keys.map((k: { type: string; bits: number }) => [k.type, k.bits]),
    );
    expect(bits).to.deep.equal({
      'ssh-ed25519': 256,
      'ecdsa-sha2-nistp256': 256,
      'ecdsa-sha2-nistp384': 384,
      'ssh-rsa': 3072,
    });
    expect(Object.keys(list.body.keys[0]).sort()).to.deep.equal(
      ['bits', 'created_at', 'fingerprint', 'id', 'last_used_at', 'name', 'type'].sort(),
    );
    const named = await add(p.token, { public_key: makeKeyPair().publicKey, name: 'laptop' });
    expect(named.body.name).to.equal('laptop');

    expect((await t.as(p.token)('DELETE', `/api/ssh-keys/${named.body.id}`)).status).to.equal(204);
    expectError(await t.as(p.token)('DELETE', `/api/ssh-keys/${named.body.id}`), 404, 'not_found');
    expect((await t.as(p.token)('GET', '/api/ssh-keys')).body.keys).to.have.length(4);
    expect(await auditTypes(t, p.id)).to.include.members(['ssh_key_added', 'ssh_key_removed']);
  });

  it('refuses other kinds of key with the reason, and what is not a public key', async () => {
    const p = await t.chatPerson('keyrefused');
    const rsa2048 = makeOpensshKey(dir.path, 'rsa2048', ['-t', 'rsa', '-b', '2048']);
    const p521 = makeOpensshKey(dir.path, 'p521', ['-t', 'ecdsa', '-b', '521']);
    const ed = keys.ed25519!;
    const [type, data] = ed.publicKey.split(' ') as [string, string];
    const cases: [unknown, RegExp][] = [
      [rsa2048.publicKey, /2048 bits; RSA keys need at least 3072/],
      [p521.publicKey, /nistp521 keys are not accepted/],
      ['ssh-dss AAAAB3NzaC1kc3MAAACBAP== old', /DSA keys are refused/],
      [`sk-ssh-ed25519@openssh.com ${data}`, /security-key/],
      [`ssh-ed25519-cert-v01@openssh.com ${data}`, /certificates are not accepted/],
      [readFileSync(ed.path, 'utf8'), /that is a private key/],
      [`${type} ${data.slice(0, -8)}`, /not a valid key|not base64/],
      [`ssh-rsa ${data}`, /not a valid key/],
      [`${ed.publicKey}\n${ed.publicKey}`, /one line/],
      ['hello', /not an OpenSSH public key/],
      ['', /required/],
      ['x'.repeat(SSH_KEYS.publicKeyMax + 1), /at most/],
      [42, /public_key/],
      [null, /public_key/],
    ];
    for (const [publicKey, reason] of cases) {
      const res = await add(p.token, { public_key: publicKey });
      expectError(res, 400, 'invalid_field');
      expect(res.body.field, String(publicKey).slice(0, 40)).to.equal('public_key');
      expect(res.body.error, String(publicKey).slice(0, 40)).to.match(reason);
    }
    for (const name of ['', 'x'.repeat(SSH_KEYS.nameMax + 1), 'a\u0007b', 12]) {
      const res = await add(p.token, { public_key: makeKeyPair().publicKey, name });
      expectError(res, 400, 'invalid_field');
      expect(res.body.field).to.equal('name');
    }
    expect((await t.as(p.token)('GET', '/api/ssh-keys')).body.keys).to.deep.equal([]);
  });

  it('keeps a key to one account, and at most 20 keys to a user', async () => {
    const [a, b] = await t.chatPeople('keyfirst', 'keysecond');
    const key = makeKeyPair();
    expect((await add(a.token, { public_key: key.publicKey })).status).to.equal(201);
    expectError(await add(a.token, { public_key: key.publicKey }), 409, 'ssh_key_taken');
    expectError(await add(b.token, { public_key: key.publicKey }), 409, 'ssh_key_taken');
    // The same key with another comment is the same key.
    const other = key.publicKey.replace(/ \S+$/, ' renamed');
    expectError(await add(b.token, { public_key: other }), 409, 'ssh_key_taken');
    // Another user's key id answers like no key at all, and stays.
    const mine = (await t.as(a.token)('GET', '/api/ssh-keys')).body.keys[0].id;
    expectError(await t.as(b.token)('DELETE', `/api/ssh-keys/${mine}`), 404, 'not_found');
    expectError(await t.as(b.token)('DELETE', '/api/ssh-keys/not-an-id'), 404, 'not_found');
    expect((await t.as(a.token)('GET', '/api/ssh-keys')).body.keys).to.have.length(1);

    for (let i = 1; i < SSH_KEYS.maxPerUser; i++) {
      const res = await add(a.token, { public_key: makeKeyPair().publicKey });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    const over = await add(a.token, { public_key: makeKeyPair().publicKey });
    expectError(over, 409, 'too_many_ssh_keys');
    expect(over.body.error).to.include('20');
  });

  it('is for a signed-in person only: no token, whatever its scopes, and no anonymous caller', async () => {
    const p = await t.chatPerson('keytoken');
    const made = await t.as(p.token)('POST', '/api/tokens', {
      name: 'all',
      scopes: ['profile:read', 'chat:read', 'chat:write'],
    });
    const token = made.body.token as string;
    expectError(await add(token, { public_key: makeKeyPair().publicKey }), 403, 'insufficient_scope');
    expectError(await t.as(token)('GET', '/api/ssh-keys'), 403, 'insufficient_scope');
    expectError(await t.api('GET', '/api/ssh-keys'), 401, 'unauthorized');
    expectError(
      await t.api('POST', '/api/ssh-keys', { public_key: makeKeyPair().publicKey }),
      401,
      'unauthorized',
    );
  });

  it('prints the same fingerprint as ssh-keygen for a key ssh2 made', async () => {
    const p = await t.chatPerson('keyprint');
    const pair = makeKeyPair();
    const file = join(dir.path, 'ssh2.pub');
    execFileSync('sh', ['-c', `cat > ${file}`], { input: pair.publicKey });
    const printed = execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' }).split(' ')[1];
    expect((await add(p.token, { public_key: pair.publicKey })).body.fingerprint).to.equal(printed);
  });
});

describe('SSH keys when the account is deleted', function () {
  this.timeout(60_000);
  const t = useServer();

  it('go with it, so the key is free for another account and logs in to none', async () => {
    const [gone, next] = await t.chatPeople('keygone', 'keynext');
    const key = makeKeyPair();
    expect((await t.as(gone.token)('POST', '/api/ssh-keys', { public_key: key.publicKey })).status).to.equal(
      201,
    );
    expect((await t.api('POST', '/api/login/ssh/challenge', { username: gone.username })).status).to.equal(
      200,
    );
    const deleted = await t.as(gone.token)('DELETE', '/api/account', { password: gone.password });
    expect(deleted.status, JSON.stringify(deleted.body)).to.equal(204);
    expect(await t.db('ssh_keys').where({ user_id: gone.id })).to.deep.equal([]);
    expect(await t.db('ssh_login_challenges').where({ user_id: gone.id })).to.deep.equal([]);
    expect((await t.as(next.token)('POST', '/api/ssh-keys', { public_key: key.publicKey })).status).to.equal(
      201,
    );
  });
});
