import { expect } from 'chai';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostFieldMatches } from '../../../tui/client/tunnel/known-hosts.js';
import { openTunnel } from '../../../tui/client/tunnel/index.js';
import { api } from '../../helpers/server.js';
import { expectTunnelError, startTunnelFixture, type TunnelFixture } from '../../helpers/tunnel.js';
import { makeKeyPair } from '../../helpers/ssh-keys.js';

/** ssh's fingerprint, computed here independently of the code under test (`ssh-keygen -lf` prints it). */
const fingerprint = (blob: Buffer) =>
  'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');

describe('tunnel: host key verification', () => {
  let f: TunnelFixture;

  afterEach(async () => {
    await f.cleanup();
  });

  it('refuses a host whose key changed, naming the new and the recorded fingerprint', async () => {
    f = await startTunnelFixture({ trustHost: false });
    const impostor = makeKeyPair();
    writeFileSync(
      f.knownHostsFile,
      `[127.0.0.1]:${f.ssh.port} ssh-ed25519 ${impostor.blob.toString('base64')}\n`,
    );

    const err = await expectTunnelError(openTunnel(f.options({ acceptNew: true })));

    expect(err.code).to.equal('host_key_changed');
    expect(err.message).to.include('CHANGED');
    expect(err.message).to.include(fingerprint(f.ssh.hostKey.blob));
    expect(err.message).to.include(fingerprint(impostor.blob));
    expect(err.message).to.include(`${f.knownHostsFile}:1`);
    expect(err.message).to.include(`ssh-keygen -R '[127.0.0.1]:${f.ssh.port}'`);
    expect(err.message).not.to.include('\n');
    expect(f.ssh.logins, 'no login attempted on an unverified host').to.have.length(0);
    expect(readFileSync(f.knownHostsFile, 'utf8')).not.to.include(f.ssh.hostKey.blob.toString('base64'));
  });

  it('refuses an unknown host, then trusts it with acceptNew and records it the way ssh does', async () => {
    f = await startTunnelFixture({ trustHost: false });
    rmSync(f.knownHostsFile, { force: true });

    const err = await expectTunnelError(openTunnel(f.options()));
    expect(err.code).to.equal('host_unknown');
    expect(err.message).to.include(fingerprint(f.ssh.hostKey.blob));
    expect(err.message).to.include('--accept-new');
    expect(f.ssh.logins).to.have.length(0);

    const { tunnel, events } = await f.open({ acceptNew: true });
    expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
    expect(readFileSync(f.knownHostsFile, 'utf8')).to.equal(f.ssh.knownHostsLine + '\n');
    expect(events).to.deep.include({
      type: 'host_key_added',
      host: `[127.0.0.1]:${f.ssh.port}`,
      fingerprint: fingerprint(f.ssh.hostKey.blob),
      file: f.knownHostsFile,
    });
    await tunnel.close();

    // The recorded key is now simply known: no acceptNew needed, nothing appended twice.
    const again = await f.open();
    expect((await api(again.tunnel.url, 'GET', '/api/health')).status).to.equal(200);
    expect(readFileSync(f.knownHostsFile, 'utf8').trim().split('\n')).to.have.length(1);
  });

  it('asks confirmHost about an unknown host and honours the answer', async () => {
    f = await startTunnelFixture({ trustHost: false });
    const asked: any[] = [];

    const no = await expectTunnelError(
      openTunnel(f.options({ prompt: { confirmHost: async (host) => (asked.push(host), false) } })),
    );
    expect(no.code).to.equal('host_unknown');

    const { tunnel } = await f.open({ prompt: { confirmHost: async (host) => (asked.push(host), true) } });
    expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
    expect(asked).to.have.length(2);
    expect(asked[0]).to.deep.equal({
      host: `[127.0.0.1]:${f.ssh.port}`,
      keyType: 'ED25519',
      fingerprint: fingerprint(f.ssh.hostKey.blob),
      knownHostsFile: f.knownHostsFile,
    });
    expect(readFileSync(f.knownHostsFile, 'utf8')).to.include(f.ssh.knownHostsLine);
  });

  it('accepts a hashed known_hosts entry (HashKnownHosts yes)', async () => {
    f = await startTunnelFixture({ trustHost: false });
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update(`[127.0.0.1]:${f.ssh.port}`).digest();
    const hashed = `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
    writeFileSync(
      f.knownHostsFile,
      `# a comment, then an unrelated host\nother.example ssh-ed25519 ${makeKeyPair().blob.toString('base64')}\n` +
        `${hashed} ssh-ed25519 ${f.ssh.hostKey.blob.toString('base64')}\n`,
    );

    const { tunnel } = await f.open();

    expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
    expect(readFileSync(f.knownHostsFile, 'utf8').split('\n')).to.have.length(4); // nothing appended
  });

  it('records a new host hashed when ssh_config says HashKnownHosts yes, and finds it again', async () => {
    f = await startTunnelFixture({ trustHost: false });
    rmSync(f.knownHostsFile, { force: true });
    writeFileSync(join(f.home, '.ssh', 'config'), 'Host *\n  HashKnownHosts yes\n');
    const name = `[127.0.0.1]:${f.ssh.port}`;

    const { tunnel, events } = await f.open({ acceptNew: true });
    await tunnel.close();

    const text = readFileSync(f.knownHostsFile, 'utf8');
    expect(text).not.to.include('127.0.0.1');
    const [hosts, type, key] = text.trim().split(' ');
    expect(hosts).to.match(/^\|1\|[^|]+\|[^|]+$/);
    expect(hostFieldMatches(hosts!, name)).to.equal(true);
    expect([type, key]).to.deep.equal(['ssh-ed25519', f.ssh.hostKey.blob.toString('base64')]);
    expect(events.find((e) => e.type === 'host_key_added')).to.include({ host: name });

    // Known from the hashed line: no acceptNew, nothing appended.
    const again = await f.open();
    expect((await api(again.tunnel.url, 'GET', '/api/health')).status).to.equal(200);
    expect(readFileSync(f.knownHostsFile, 'utf8')).to.equal(text);
  });

  it("follows HashKnownHosts from the system's ssh_config, unless the user's config says no", async () => {
    f = await startTunnelFixture({ trustHost: false });
    const system = join(f.home, 'system_ssh_config');
    writeFileSync(system, 'Host *\n  HashKnownHosts yes\n');

    const hashed = await f.open({ acceptNew: true, systemSshConfigFile: system });
    await hashed.tunnel.close();
    expect(readFileSync(f.knownHostsFile, 'utf8')).to.match(/^\|1\|/);

    rmSync(f.knownHostsFile);
    writeFileSync(join(f.home, '.ssh', 'config'), 'Host 127.0.0.1\n  HashKnownHosts no\n');
    const plain = await f.open({ acceptNew: true, systemSshConfigFile: system });
    await plain.tunnel.close();
    expect(readFileSync(f.knownHostsFile, 'utf8')).to.equal(f.ssh.knownHostsLine + '\n');
  });

  it('refuses a key marked @revoked even when it is also listed as known', async () => {
    f = await startTunnelFixture();
    writeFileSync(
      f.knownHostsFile,
      `${f.ssh.knownHostsLine}\n@revoked * ssh-ed25519 ${f.ssh.hostKey.blob.toString('base64')}\n`,
    );

    const err = await expectTunnelError(openTunnel(f.options()));

    expect(err.code).to.equal('host_key_revoked');
    expect(err.message).to.include(fingerprint(f.ssh.hostKey.blob));
  });
});
