import { expect } from 'chai';
import { join } from 'node:path';
import { openTunnel } from '../../../tui/client/tunnel/index.js';
import { api } from '../../helpers/server.js';
import { startTestAgent } from '../../helpers/ssh-agent.js';
import { expectTunnelError, startTunnelFixture, type TunnelFixture } from '../../helpers/tunnel.js';
import { makeKeyPair, writeKeyPair } from '../../helpers/ssh-keys.js';
import { startSshServer } from '../../helpers/ssh-server.js';

describe('tunnel: logging in', () => {
  let f: TunnelFixture;

  beforeEach(async () => {
    f = await startTunnelFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('refuses a key the host does not know with auth_failed, saying what was tried', async () => {
    const stranger = writeKeyPair(join(f.home, '.ssh'), 'id_stranger', makeKeyPair());

    const err = await expectTunnelError(openTunnel(f.options({ identity: stranger })));

    expect(err.code).to.equal('auth_failed');
    expect(err.message).to.include(`SSH login as tester to tester@127.0.0.1:${f.ssh.port} was refused`);
    expect(err.message).to.include('~/.ssh/id_stranger');
    expect(err.message).to.include('--identity');
    expect(err.message).not.to.include('\n');
    expect(f.ssh.logins).to.have.length(0);
  });

  it('uses the ssh-agent first, before any key file', async () => {
    const agent = await startTestAgent([f.clientKey]);
    try {
      const stranger = writeKeyPair(join(f.home, '.ssh'), 'id_stranger', makeKeyPair());
      const { tunnel } = await f.open({
        identity: stranger,
        env: { HOME: f.home, USER: 'tester', SSH_AUTH_SOCK: agent.socket },
      });

      expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
      expect(agent.signatures()).to.equal(1);
      expect(f.ssh.logins).to.deep.equal([{ user: 'tester', publicKey: f.clientKey.publicKey }]);
    } finally {
      await agent.close();
    }
  });

  it('moves on to the key files when the agent socket is dead', async () => {
    const { tunnel } = await f.open({
      env: { HOME: f.home, USER: 'tester', SSH_AUTH_SOCK: join(f.home, 'no-agent.sock') },
    });
    expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
  });

  it('finds ~/.ssh/id_ed25519 without --identity', async () => {
    writeKeyPair(join(f.home, '.ssh'), 'id_ed25519', f.clientKey);
    const { tunnel } = await f.open({ identity: undefined });
    expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
  });

  it('asks for the passphrase of an encrypted key through prompt.passphrase, again after a wrong one', async () => {
    const locked = makeKeyPair({ passphrase: 'correct horse' });
    const ssh = await startSshServer({ authorizedKeys: [locked], hostKey: f.ssh.hostKey });
    try {
      const path = writeKeyPair(join(f.home, '.ssh'), 'id_locked', locked);
      const answers = ['wrong', 'correct horse'];
      const asked: string[] = [];
      const { tunnel } = await f.open({
        sshPort: ssh.port,
        identity: path,
        acceptNew: true,
        prompt: { passphrase: async (file) => (asked.push(file), answers.shift()!) },
      });

      expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
      expect(asked).to.deep.equal([path, path]);
    } finally {
      await ssh.close();
    }
  });

  it('gives up on an encrypted key after three wrong passphrases, and says so', async () => {
    const locked = makeKeyPair({ passphrase: 'correct horse' });
    const path = writeKeyPair(join(f.home, '.ssh'), 'id_locked', locked);
    let asked = 0;

    const err = await expectTunnelError(
      openTunnel(f.options({ identity: path, prompt: { passphrase: async () => (asked++, 'nope') } })),
    );

    expect(err.code).to.equal('auth_failed');
    expect(err.message).to.include('~/.ssh/id_locked (wrong passphrase)');
    expect(asked).to.equal(3);
  });

  it('says an encrypted key was skipped when there is no way to ask for its passphrase', async () => {
    const path = writeKeyPair(join(f.home, '.ssh'), 'id_locked', makeKeyPair({ passphrase: 'x' }));
    const err = await expectTunnelError(openTunnel(f.options({ identity: path })));
    expect(err.code).to.equal('auth_failed');
    expect(err.message).to.include('encrypted, and no terminal to ask for its passphrase');
  });

  it('rejects a missing or public --identity before connecting', async () => {
    const missing = await expectTunnelError(openTunnel(f.options({ identity: join(f.home, 'nope') })));
    expect(missing.code).to.equal('identity_unreadable');
    expect(missing.message).to.include('ENOENT');

    const pub = await expectTunnelError(openTunnel(f.options({ identity: `${f.clientKeyPath}.pub` })));
    expect(pub.code).to.equal('identity_unreadable');
    expect(pub.message).to.include('is a public key');
    expect(f.ssh.logins).to.have.length(0);
  });
});
