import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { type Person } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';
import {
  ACCEPTED_KINDS,
  makeOpensshKey,
  startOpensshAgent,
  tempKeyDir,
  type OpensshAgent,
  type OpensshKey,
} from '../../helpers/openssh.js';
import { turnOn } from '../../helpers/two-factor.js';

describe('mux1 keys add|list|remove and mux1 login --ssh (child processes, a real ssh-agent)', function () {
  // Each case is a CLI process of its own, on a loaded machine.
  this.timeout(180_000);
  let p: Person;
  let agent: OpensshAgent;
  const dir = tempKeyDir();
  const keys: Record<string, OpensshKey> = {};

  const t = useServer({ mail: true, cliHome: true, env: { LOG_LEVEL: 'warn' } });

  before(async () => {
    for (const [kind, args] of Object.entries(ACCEPTED_KINDS))
      keys[kind] = makeOpensshKey(dir.path, kind, args);
    keys.stranger = makeOpensshKey(dir.path, 'stranger', ['-t', 'ed25519']);
    keys.locked = makeOpensshKey(dir.path, 'locked', ['-t', 'ecdsa', '-b', '256'], 'key pass phrase');
    p = await t.verifiedPerson('clikeys');
    const login = await t.cliLogIn(p);
    expect(login.code, login.stderr).to.equal(0);
    agent = await startOpensshAgent();
  });
  after(async () => {
    await agent.close();
    dir.remove();
  });

  const sshLogin = (args: string[], env: Record<string, string | undefined> = {}) =>
    t.cli(['login', '--ssh', '--username', p.username, ...args, '--json'], { env });

  it('adds keys from files (refusing a private key and a weak one), lists and removes them', async () => {
    for (const kind of Object.keys(ACCEPTED_KINDS)) {
      const r = await t.cli(['keys', 'add', `${keys[kind]!.path}.pub`, '--json']);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.json().key.fingerprint).to.equal(keys[kind]!.fingerprint);
    }
    const priv = await t.cli(['keys', 'add', keys.stranger!.path]);
    expect(priv.code).to.equal(2);
    expect(priv.stderr).to.match(/is a private key: give its \.pub file/);
    const weak = makeOpensshKey(dir.path, 'weak', ['-t', 'rsa', '-b', '2048']);
    const refused = await t.cli(['keys', 'add', `${weak.path}.pub`]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/2048 bits; RSA keys need at least 3072/);

    const list = await t.cli(['keys', 'list']);
    expect(list.code, list.stderr).to.equal(0);
    for (const kind of Object.keys(ACCEPTED_KINDS)) expect(list.stdout).to.include(keys[kind]!.fingerprint);
    expect(list.stdout).to.match(/first factor/);

    const extra = makeOpensshKey(dir.path, 'extra', ['-t', 'ed25519']);
    const added = (await t.cli(['keys', 'add', `${extra.path}.pub`, '--name', 'spare', '--json'])).json();
    expect(added.key.name).to.equal('spare');
    const gone = await t.cli(['keys', 'remove', added.key.id]);
    expect(gone.code, gone.stderr).to.equal(0);
    const again = await t.cli(['keys', 'remove', added.key.id]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/no such SSH key/);
    expect((await t.cli(['keys', 'remove', 'bad id!'])).code).to.equal(2);
  });

  it('logs in through the ssh-agent with each kind, trying past keys the account does not have', async () => {
    agent.add(keys.stranger!.path);
    for (const kind of Object.keys(ACCEPTED_KINDS)) {
      agent.add(keys[kind]!.path);
      const r = await sshLogin([], { SSH_AUTH_SOCK: agent.socket });
      expect(r.code, `${kind}: ${r.stdout}${r.stderr}`).to.equal(0);
      expect(r.json().user.username).to.equal(p.username);
    }
    const who = await t.cli(['whoami']);
    expect(who.code, who.stderr).to.equal(0);
    expect(who.stdout).to.include(p.username);
    // The stranger's refusals counted nothing toward the lockout.
    expect(Number((await t.db('users').where({ username: p.username }).first()).failed_logins)).to.equal(0);
  });

  it('logs in with --identity, asking no passphrase for a plain key', async () => {
    for (const kind of Object.keys(ACCEPTED_KINDS)) {
      const r = await sshLogin(['--identity', keys[kind]!.path], { SSH_AUTH_SOCK: undefined });
      expect(r.code, `${kind}: ${r.stdout}${r.stderr}`).to.equal(0);
    }
    // An encrypted key needs a terminal for its passphrase; stdin is a pipe here.
    const locked = await sshLogin(['--identity', keys.locked!.path], { SSH_AUTH_SOCK: undefined });
    expect(locked.code).to.equal(2);
    expect(locked.json().code).to.equal('no_terminal');
    const missing = await sshLogin(['--identity', join(dir.path, 'nope')]);
    expect(missing.code).to.equal(2);
    const pub = await sshLogin(['--identity', `${keys.ed25519!.path}.pub`]);
    expect(pub.code).to.equal(2);
    expect(pub.json().error).to.match(/public key/);
  });

  it('says what is wrong without an agent, with an empty one, or with keys the account lacks', async () => {
    const none = await sshLogin([], { SSH_AUTH_SOCK: undefined });
    expect(none.code).to.equal(2);
    expect(none.json().code).to.equal('no_agent');
    const empty = await startOpensshAgent();
    try {
      const r = await sshLogin([], { SSH_AUTH_SOCK: empty.socket });
      expect(r.json().code).to.equal('no_agent');
      empty.add(keys.stranger!.path);
      const stranger = await sshLogin([], { SSH_AUTH_SOCK: empty.socket });
      expect(stranger.code).to.equal(1);
      expect(stranger.json().code).to.equal('invalid_credentials');
    } finally {
      await empty.close();
    }
    const garbage = join(dir.path, 'garbage');
    writeFileSync(garbage, 'not a key');
    expect((await sshLogin(['--identity', garbage])).code).to.equal(2);
    expect(
      (await t.cli(['login', '--identity', keys.ed25519!.path, '--username', p.username])).code,
    ).to.equal(2);
  });

  it('asks for the code next on a two-factor account, until `keys policy both` lets the key stand for both', async () => {
    const session = (await t.logIn(p.username, p.password)).body.token as string;
    const { backupCodes } = await turnOn(t.url, { ...p, token: session }, Date.now());
    const r = await sshLogin(['--identity', keys.ed25519!.path]);
    expect(r.code).to.equal(2);
    expect(r.json().code).to.equal('no_terminal');
    expect(r.json().error).to.match(/two-factor/);

    // Turning two factors on signed the CLI's session out: log it in again, with a code.
    const again = await t.cli(['login', '--username', p.username, '--password-stdin', '--code-stdin'], {
      input: `${p.password}\n${backupCodes[2]}\n`,
    });
    expect(again.code, again.stderr).to.equal(0);
    expect((await t.cli(['keys', 'policy', 'sometimes'])).code).to.equal(2);
    const wrong = await t.cli(['keys', 'policy', 'both', '--password-stdin', '--code-stdin'], {
      input: `not the password\n${backupCodes[0]}\n`,
    });
    expect(wrong.code).to.equal(1);
    const both = await t.cli(['keys', 'policy', 'both', '--password-stdin', '--code-stdin', '--json'], {
      input: `${p.password}\n${backupCodes[1]}\n`,
    });
    expect(both.code, both.stdout + both.stderr).to.equal(0);
    expect(both.json().both_factors).to.equal(true);
    const direct = await sshLogin(['--identity', keys.ed25519!.path]);
    expect(direct.code, direct.stdout + direct.stderr).to.equal(0);
    expect((await t.cli(['keys', 'list'])).stdout).to.match(/stands in for your password and second factor/);
    expect((await t.cli(['keys', 'policy', 'first'])).code).to.equal(0);
    expect((await sshLogin(['--identity', keys.ed25519!.path])).json().code).to.equal('no_terminal');
  });
});
