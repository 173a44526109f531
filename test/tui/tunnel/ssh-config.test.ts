import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTarget } from '../../../tui/client/tunnel/resolve-target.js';
import { api } from '../../helpers/server.js';
import { startTunnelFixture } from '../../helpers/tunnel.js';

describe('tunnel: ~/.ssh/config Host aliases', () => {
  let home: string;
  const env = () => ({ HOME: home, USER: 'localme' });
  const writeConfig = (text: string, name = 'config') => writeFileSync(join(home, '.ssh', name), text);
  // The machine's own /etc/ssh/ssh_config stays out; tests that want one write `system_config`.
  const resolve = (target: string, extra: object = {}) =>
    resolveTarget({ target, env: env(), systemSshConfigFile: join(home, 'system_config'), ...extra });

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'mux1-sshcfg-'));
    mkdirSync(join(home, '.ssh'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('applies HostName, User, Port and IdentityFile of the matching Host block', () => {
    writeConfig(`
# the chat box
Host chat
    HostName chat.example.com
    User alice
    Port 2222
    IdentityFile ~/.ssh/id_chat

Host *
    User fallback
    Port 22
`);
    const t = resolve('chat');
    expect(t).to.include({ alias: 'chat', host: 'chat.example.com', user: 'alice', port: 2222 });
    expect(t.label).to.equal('alice@chat.example.com:2222');
    expect(t.identityFiles).to.deep.equal([{ path: join(home, '.ssh', 'id_chat'), explicit: false }]);
    expect(t.knownHostsFile).to.equal(join(home, '.ssh', 'known_hosts'));
  });

  it('lets the first value win, as ssh does, and accumulates IdentityFile', () => {
    writeConfig(`
Host chat
  Port 2222
  IdentityFile id_one
Host ch*
  Port 3333
  HostName second.example.com
  IdentityFile id_two
`);
    const t = resolve('chat');
    expect(t).to.include({ port: 2222, host: 'second.example.com' });
    expect(t.identityFiles.map((i) => i.path)).to.deep.equal([
      join(home, '.ssh', 'id_one'),
      join(home, '.ssh', 'id_two'),
    ]);
  });

  it('gives flags and user@/:port in the target precedence over the config', () => {
    writeConfig('Host chat\n  HostName chat.example.com\n  User alice\n  Port 2222\n');
    expect(resolve('bob@chat')).to.include({ user: 'bob', port: 2222 });
    expect(resolve('chat:2200')).to.include({ user: 'alice', port: 2200 });
    expect(resolve('chat:2200', { sshPort: 2300 })).to.include({ port: 2300 });
    const withFlag = resolve('chat', { identity: '/keys/mine' });
    expect(withFlag.identityFiles[0]).to.deep.equal({ path: '/keys/mine', explicit: true });
  });

  it('reads `Key=Value`, quotes, negated patterns, %h tokens and trailing comments', () => {
    writeConfig(`
Host *.internal !db.internal
  HostName=%h.example.net
  User "svc user"
  IdentityFile "~/.ssh/keys/%h key"  # per host
`);
    const t = resolve('app.internal');
    expect(t).to.include({ host: 'app.internal.example.net', user: 'svc user' });
    expect(t.identityFiles[0]!.path).to.equal(join(home, '.ssh', 'keys', 'app.internal.example.net key'));
    expect(resolve('db.internal')).to.include({ host: 'db.internal', user: 'localme' });
  });

  it('follows Include (with a glob), and does not evaluate Match blocks', () => {
    mkdirSync(join(home, '.ssh', 'config.d'));
    writeConfig('Host chat\n  HostName included.example.com\n', join('config.d', '10-chat'));
    writeConfig('Include config.d/*\nMatch exec "false"\n  User nobody\n');
    expect(resolve('chat')).to.include({ host: 'included.example.com', user: 'localme' });
  });

  it("reads the system's ssh_config after the user's, as ssh does: the user's value wins", () => {
    writeFileSync(join(home, 'system_config'), 'Host *\n  HashKnownHosts yes\n  User sysdefault\n');
    expect(resolve('chat')).to.include({ hashKnownHosts: true, user: 'sysdefault' });

    writeConfig('Host chat\n  HashKnownHosts no\n  User alice\n');
    expect(resolve('chat')).to.include({ hashKnownHosts: false, user: 'alice' });
    expect(resolve('other')).to.include({ hashKnownHosts: true, user: 'sysdefault' });

    // One that cannot be read is skipped, as ssh skips it; a directory stands in for "unreadable".
    expect(resolve('other', { systemSshConfigFile: home })).to.include({ hashKnownHosts: false });
  });

  it('writes known_hosts in the clear unless HashKnownHosts yes says otherwise', () => {
    expect(resolve('chat').hashKnownHosts).to.equal(false);
    writeConfig('Host *\n  HashKnownHosts=YES\n');
    expect(resolve('chat').hashKnownHosts).to.equal(true);
  });

  it('uses the defaults with no config; an explicit config file must exist', () => {
    const t = resolve('alice@example.com');
    expect(t).to.include({ host: 'example.com', port: 22, user: 'alice' });
    expect(t.identityFiles.map((i) => i.path)).to.deep.equal(
      ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(home, '.ssh', name)),
    );
    expect(() => resolve('x', { sshConfigFile: join(home, 'missing') }))
      .to.throw()
      .with.property('code', 'ssh_config_invalid');
    writeConfig('Host x\n  Port many\n');
    expect(() => resolve('x')).to.throw(/config:2: bad Port "many"/);
  });

  it('opens a tunnel to an alias: HostName, User, Port and IdentityFile all from the config', async () => {
    const f = await startTunnelFixture();
    try {
      const configFile = join(f.home, '.ssh', 'config');
      writeFileSync(
        configFile,
        `Host chatbox\n  HostName 127.0.0.1\n  User aliased\n  Port ${f.ssh.port}\n  IdentityFile ${f.clientKeyPath}\n`,
      );
      const { tunnel } = await f.open({ target: 'chatbox', sshPort: undefined, identity: undefined });

      expect(tunnel.sshHost).to.equal(`aliased@127.0.0.1:${f.ssh.port}`);
      expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
      expect(f.ssh.logins.map((l) => l.user)).to.deep.equal(['aliased']);
    } finally {
      await f.cleanup();
    }
  });
});
