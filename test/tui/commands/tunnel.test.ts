import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeKeyPair } from '../../helpers/ssh-keys.js';
import { startSshServer } from '../../helpers/ssh-server.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { deadServerUrl, runCli } from '../../helpers/cli.js';
import { startCli, startCliTunnelFixture, type CliTunnelFixture } from '../../helpers/cli-tunnel.js';

describe('mux1 tunnel: an SSH local forward from the command line', () => {
  let f: CliTunnelFixture;

  before(async () => {
    f = await startCliTunnelFixture();
  });
  after(async () => {
    await f?.cleanup();
  });

  it('--json prints {url, local_port, ssh_host, remote}, forwards HTTP, and SIGINT exits 0', async () => {
    const run = startCli(['tunnel', f.alias, '--remote-port', String(f.muxPort), '--json'], f.env);
    const opened = JSON.parse(await run.firstLine);

    expect(Object.keys(opened).sort()).to.deep.equal(['local_port', 'remote', 'ssh_host', 'url']);
    expect(opened).to.deep.equal({
      url: `http://127.0.0.1:${opened.local_port}`,
      local_port: opened.local_port,
      ssh_host: `tester@127.0.0.1:${f.ssh.port}`,
      remote: `127.0.0.1:${f.muxPort}`,
    });
    const health = await fetch(`${opened.url}/api/health`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.include({ status: 'healthy' });
    expect(run.stderr()).to.include(`connected to tester@127.0.0.1:${f.ssh.port} (host key SHA256:`);

    run.kill('SIGINT');
    expect(await run.exited, run.stderr()).to.equal(0);
    expect(run.stdout().split('\n').filter(Boolean)).to.have.length(1);
    expect(run.stderr()).to.include('tunnel closed');
    const after = await fetch(`${opened.url}/api/health`).catch((err: Error) => err);
    expect(after, 'the local port is closed').to.be.instanceOf(Error);
  });

  it('takes USER@HOST with explicit flags, prints the URL for people, and SIGTERM exits 0', async () => {
    const run = startCli(
      [
        'tunnel',
        'tester@127.0.0.1',
        '--ssh-port',
        String(f.ssh.port),
        '--remote-port',
        String(f.muxPort),
        '--identity',
        f.clientKeyPath,
        '--known-hosts',
        join(f.home, '.ssh', 'known_hosts'),
      ],
      f.env,
    );
    const line = await run.firstLine;
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0];
    expect(url, line).to.be.a('string');
    expect((await fetch(`${url}/api/health`)).status).to.equal(200);

    run.kill('SIGTERM');
    expect(await run.exited, run.stderr()).to.equal(0);
  });

  it('refuses an SSH host it has never seen (exit 1, host_unknown), trusts it with --accept-new', async () => {
    const args = ['tunnel', f.unknownAlias, '--remote-port', String(f.muxPort)];
    const newKnownHosts = join(f.home, '.ssh', 'known_hosts_new');

    const refused = await runCli([...args, '--json'], { env: f.env });
    expect(refused.code, refused.stderr).to.equal(1);
    expect(refused.json().code).to.equal('host_unknown');
    expect(refused.json().error).to.match(/SHA256:\S+.*--accept-new/);
    const human = await runCli(args, { env: f.env });
    expect(human.code).to.equal(1);
    expect(human.stdout).to.equal('');
    expect(human.stderr.trim().split('\n')).to.have.length(1);
    expect(human.stderr).to.match(/^Error: host \[127\.0\.0\.1\]:\d+ is not in /);

    const run = startCli([...args, '--accept-new', '--json'], f.env);
    const opened = JSON.parse(await run.firstLine);
    expect((await fetch(`${opened.url}/api/health`)).status).to.equal(200);
    expect(readFileSync(newKnownHosts, 'utf8')).to.include(f.ssh.hostKey.blob.toString('base64'));
    expect(run.stderr()).to.include(`added [127.0.0.1]:${f.ssh.port} to ${newKnownHosts}`);
    run.kill('SIGINT');
    expect(await run.exited).to.equal(0);
  });

  it('exits 1 with the error when the link cannot come back (the host key changed)', async () => {
    // The tunnel reaches the SSH server through a relay, which is then pointed at an impostor.
    const proxy = await startTcpProxy(f.ssh.port);
    const impostor = await startSshServer({ authorizedKeys: [f.clientKey], hostKey: makeKeyPair() });
    try {
      const run = startCli(
        [
          'tunnel',
          `tester@127.0.0.1:${proxy.port}`,
          '--identity',
          f.clientKeyPath,
          '--known-hosts',
          join(f.home, '.ssh', 'known_hosts_proxy'),
          '--accept-new',
          '--remote-port',
          String(f.muxPort),
          '--json',
        ],
        f.env,
      );
      await run.firstLine;
      proxy.retarget(impostor.port);
      proxy.drop();

      expect(await run.exited, run.stderr()).to.equal(1);
      const lines = run.stdout().split('\n').filter(Boolean);
      expect(lines, 'the opening object, then the error').to.have.length(2);
      expect(JSON.parse(lines[1]!)).to.include({ code: 'host_key_changed' });
      expect(run.stderr()).to.include('link lost');
    } finally {
      await Promise.all([proxy.close(), impostor.close()]);
    }
  });

  it('an SSH host where nothing listens: exit 1, code unreachable', async () => {
    const dead = new URL(await deadServerUrl()).port;
    const r = await runCli(['tunnel', `tester@127.0.0.1:${dead}`, '--json'], { env: f.env });
    expect(r.code, r.stderr).to.equal(1);
    expect(r.json().code).to.equal('unreachable');
  });

  it('usage errors exit 2 before anything connects', async () => {
    const logins = f.ssh.logins.length;
    for (const args of [
      ['tunnel'],
      ['tunnel', 'alice@'],
      ['tunnel', 'alice@host name'],
      ['tunnel', f.alias, '--ssh-port', '70000'],
      ['tunnel', f.alias, '--remote-port', 'http'],
      ['tunnel', f.alias, '--bogus'],
      ['tunnel', f.alias, '--identity', join(f.home, 'no-such-key')],
      ['tunnel', f.alias, '--identity', `${f.clientKeyPath}.pub`],
      ['tunnel', f.alias, '--known-hosts', f.home],
    ]) {
      const r = await runCli([...args, '--json'], { env: f.env });
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).to.equal(2);
      expect(r.json().code).to.equal('usage');
    }
    expect(f.ssh.logins.length).to.equal(logins);
  });
});
