import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { io } from 'socket.io-client';
import { openTunnel, type Tunnel, type TunnelOptions } from '../../tui/client/tunnel/index.js';
import { startOpenSshServer, type OpenSshServer } from '../helpers/openssh-server.js';
import { startOpensshAgent } from '../helpers/openssh.js';
import { api } from '../helpers/server.js';
import { runCli } from '../helpers/cli.js';
import { useServer } from '../helpers/fixture.js';

const run = promisify(execFile);

/**
 * The tunnel against OpenSSH itself (Debian's openssh-server), not a protocol library: sshd runs
 * in the foreground on a free loopback port with its own host key, config and authorized_keys in a
 * temp folder, and the host key reaches known_hosts through ssh-keyscan -H, the way an admin would
 * record it.
 */
describe('system: the tunnel through OpenSSH sshd', () => {
  let dir: string;
  let home: string;
  let port: number;
  let sshd: OpenSshServer;
  const mux = useServer();
  let clientKey: string;
  let hashedKnownHosts: string;
  const tunnels: Tunnel[] = [];
  const user = userInfo().username;

  const options = (extra: Partial<TunnelOptions> = {}): TunnelOptions => ({
    target: `${user}@127.0.0.1`,
    sshPort: port,
    remotePort: Number(new URL(mux.url).port),
    identity: clientKey,
    knownHostsFile: hashedKnownHosts,
    globalKnownHostsFiles: [],
    // Not this machine's /etc/ssh/ssh_config (Debian's says HashKnownHosts yes): each test says.
    systemSshConfigFile: join(dir, 'ssh_config'),
    env: { HOME: home, USER: user },
    ...extra,
  });
  const open = async (extra: Partial<TunnelOptions> = {}) => {
    const tunnel = await openTunnel(options(extra));
    tunnels.push(tunnel);
    return tunnel;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-sshd-client-'));
    home = join(dir, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    clientKey = join(dir, 'client_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'mux1-test-client', '-f', clientKey]);
    sshd = await startOpenSshServer([readFileSync(`${clientKey}.pub`, 'utf8').trim()]);
    port = sshd.port;

    hashedKnownHosts = join(home, '.ssh', 'known_hosts');
    const scan = await run('ssh-keyscan', ['-H', '-t', 'ed25519', '-p', String(port), '127.0.0.1']);
    writeFileSync(hashedKnownHosts, scan.stdout);
  });

  after(async () => {
    await Promise.all(tunnels.map((t) => t.close()));
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('forwards GET /api/health to a mux1 server, trusting a host recorded by ssh-keyscan -H', async () => {
    expect(readFileSync(hashedKnownHosts, 'utf8')).to.match(/^\|1\|/);

    const tunnel = await open();
    const health = await api(tunnel.url, 'GET', '/api/health');

    expect(health.status).to.equal(200);
    expect(health.body).to.include({ status: 'healthy', database: 'healthy' });
    expect(sshd.log()).to.include(`Accepted publickey for ${user}`);
    const { stdout } = await run('ssh-keygen', ['-lf', sshd.hostKeyPub]);
    expect(stdout).to.include(tunnel.hostKeyFingerprint);
  });

  it('carries Socket.IO over WebSocket through sshd', async function () {
    const probe = await fetch(`${mux.url}/socket.io/?EIO=4&transport=polling`);
    await probe.arrayBuffer();
    if (probe.status === 404) this.skip();
    const tunnel = await open();
    const socket = io(tunnel.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      const hello = await new Promise<any>((resolve, reject) => {
        socket.once('connected', resolve);
        socket.once('connect_error', reject);
      });
      expect(hello.sid).to.be.a('string');
    } finally {
      socket.close();
    }
  });

  it('logs in through a real ssh-agent holding the key', async () => {
    const agent = await startOpensshAgent();
    try {
      agent.add(clientKey);
      const tunnel = await open({
        identity: undefined,
        env: { HOME: home, USER: user, SSH_AUTH_SOCK: agent.socket },
      });

      expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
    } finally {
      await agent.close();
    }
  });

  it('writes a known_hosts line that OpenSSH itself finds, and refuses the host once its key differs', async () => {
    const fresh = join(home, '.ssh', 'known_hosts.fresh');
    const refused = await openTunnel(options({ knownHostsFile: fresh })).catch((err) => err);
    expect(refused).to.include({ code: 'host_unknown' });

    await open({ knownHostsFile: fresh, acceptNew: true });
    const found = await run('ssh-keygen', ['-F', `[127.0.0.1]:${port}`, '-f', fresh]);
    expect(found.stdout).to.include(`[127.0.0.1]:${port} ssh-ed25519 `);

    const other = join(dir, 'other_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const wrong = join(home, '.ssh', 'known_hosts.wrong');
    const otherKey = readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(wrong, `[127.0.0.1]:${port} ${otherKey}\n`);
    const changed = await openTunnel(options({ knownHostsFile: wrong, acceptNew: true })).catch((err) => err);
    expect(changed).to.include({ code: 'host_key_changed' });
    expect(changed.message).to.include(
      (await run('ssh-keygen', ['-lf', sshd.hostKeyPub])).stdout.split(' ')[1],
    );
  });

  it('with HashKnownHosts yes writes a hashed line that ssh-keygen -F finds, and finds it itself', async () => {
    const config = join(dir, 'ssh_config_hashing');
    writeFileSync(config, 'Host *\n  HashKnownHosts yes\n');
    const fresh = join(home, '.ssh', 'known_hosts.hashed');

    const first = await open({ knownHostsFile: fresh, acceptNew: true, systemSshConfigFile: config });
    await first.close();
    const text = readFileSync(fresh, 'utf8');
    expect(text).to.match(/^\|1\|\S+ ssh-ed25519 \S+\n$/);
    expect(text).not.to.include('127.0.0.1');

    const found = await run('ssh-keygen', ['-F', `[127.0.0.1]:${port}`, '-f', fresh]);
    expect(found.stdout).to.include(`# Host [127.0.0.1]:${port} found: line 1`);
    expect(found.stdout).to.include(text.trim());
    const elsewhere = await run('ssh-keygen', ['-F', `[127.0.0.1]:${port + 1}`, '-f', fresh]).catch((e) => e);
    expect(elsewhere.stdout ?? '').not.to.include('found');

    // The tunnel reads its own hashed line back: known, no acceptNew, nothing appended.
    const again = await open({ knownHostsFile: fresh, systemSshConfigFile: config });
    expect((await api(again.url, 'GET', '/api/health')).status).to.equal(200);
    expect(readFileSync(fresh, 'utf8')).to.equal(text);
  });

  it("--via's advice for an unknown host is an ssh command OpenSSH runs, after which --via gets in", async () => {
    const knownHosts = join(home, '.ssh', 'known_hosts.advice');
    const args = ['health', '--server', mux.url, '--via', `${user}@127.0.0.1:${port}`];
    args.push('--via-identity', clientKey, '--via-known-hosts', knownHosts, '--json');
    const env = { HOME: home, USER: user, SSH_AUTH_SOCK: undefined, MUX1_CONFIG_DIR: join(dir, 'mux1') };

    const refused = await runCli(args, { env });
    expect(refused.code, refused.stderr).to.equal(1);
    expect(refused.json().code).to.equal('host_unknown');
    const advice = /\(or '(ssh [^']+)'\)/.exec(refused.json().error)?.[1];
    expect(advice).to.equal(
      `ssh -i ${clientKey} -o UserKnownHostsFile=${knownHosts} -p ${port} ${user}@127.0.0.1`,
    );

    // What a person does at a terminal, answering "yes"; accept-new stands in for that answer, and
    // -F keeps this machine's ssh_config out of it.
    const [, ...words] = advice!.split(' ');
    const destination = words.pop()!;
    const batch = ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=accept-new'];
    await run('ssh', [...words, ...batch, destination, 'true']);

    const after = await runCli(args, { env });
    expect(after.code, after.stderr).to.equal(0);
    expect(after.json()).to.include({ status: 'healthy' });
  });
});
