import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionKey } from '../../../tui/client/credentials.js';
import { openTunnelAt, recordOpenTunnel } from '../../../tui/client/tunnel/open-tunnels.js';

describe('tunnel: the record of a running tunnel, which files its sessions', () => {
  let dir: string;
  const tunnel = { localPort: 43210, sshHost: 'alice@box.example:22', remote: '127.0.0.1:5000' };
  const file = () => join(dir, 'tunnels', '127.0.0.1-43210.json');
  const rewrite = (change: (record: any) => unknown) =>
    writeFileSync(file(), JSON.stringify(change(JSON.parse(readFileSync(file(), 'utf8')))));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-open-tunnels-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the server behind the URL the tunnel printed, and only that URL', () => {
    const forget = recordOpenTunnel(dir, tunnel);
    expect(openTunnelAt(dir, 'http://127.0.0.1:43210')).to.include({
      local_port: 43210,
      ssh_host: 'alice@box.example:22',
      remote: '127.0.0.1:5000',
      pid: process.pid,
    });
    expect(openTunnelAt(dir, 'http://127.0.0.1:43210/prefix')).to.include({ remote: '127.0.0.1:5000' });
    // localhost may be ::1, where something else can listen; https is not what a tunnel serves.
    for (const other of ['http://localhost:43210', 'https://127.0.0.1:43210', 'http://127.0.0.1:43211']) {
      expect(openTunnelAt(dir, other), other).to.equal(undefined);
    }
    expect(statSync(file()).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'tunnels')).mode & 0o777).to.equal(0o700);

    forget();
    expect(openTunnelAt(dir, 'http://127.0.0.1:43210')).to.equal(undefined);
  });

  it('files sessions under the server behind the tunnel, path included; other URLs under themselves', () => {
    const env = { MUX1_CONFIG_DIR: dir };
    expect(sessionKey('http://127.0.0.1:43210/chat', env)).to.equal('http://127.0.0.1:43210/chat');
    recordOpenTunnel(dir, tunnel);
    expect(sessionKey('http://127.0.0.1:43210/chat', env)).to.equal(
      'http://127.0.0.1:5000/chat via ssh://alice@box.example:22',
    );
    expect(sessionKey('http://127.0.0.1:5000', env, 'alice@box.example:22')).to.equal(
      'http://127.0.0.1:5000 via ssh://alice@box.example:22',
    );
    recordOpenTunnel(dir, { localPort: 43211, sshHost: 'bob@[::1]:2222', remote: '[fd00::5]:8080' });
    expect(sessionKey('http://127.0.0.1:43211', env)).to.equal(
      'http://[fd00::5]:8080 via ssh://bob@[::1]:2222',
    );
  });

  it('vouches for nothing once its process is gone, or when the pid now belongs to another process', async () => {
    recordOpenTunnel(dir, tunnel);
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    rewrite((r) => ({ ...r, pid: child.pid }));
    expect(openTunnelAt(dir, 'http://127.0.0.1:43210'), 'a dead pid').to.equal(undefined);

    recordOpenTunnel(dir, tunnel);
    rewrite((r) => ({ ...r, machine: 'another-machine' }));
    expect(openTunnelAt(dir, 'http://127.0.0.1:43210'), 'another machine').to.equal(undefined);

    recordOpenTunnel(dir, tunnel);
    rewrite((r) => ({ ...r, pid: 1 }));
    expect(openTunnelAt(dir, 'http://127.0.0.1:43210'), 'pid 1, not a tunnel').to.equal(undefined);

    if (process.platform === 'linux') {
      recordOpenTunnel(dir, tunnel);
      rewrite((r) => ({ ...r, started: String(Number(r.started) + 1) }));
      expect(openTunnelAt(dir, 'http://127.0.0.1:43210'), 'the pid, reused').to.equal(undefined);
    }
  });

  it('takes a damaged or hostile record for no record', () => {
    recordOpenTunnel(dir, tunnel);
    const cases: [string, string][] = [
      ['not JSON', '{"local_port": 43'],
      ['an array', '[]'],
      ['null', 'null'],
      ['another port', JSON.stringify({ ...JSON.parse(readFileSync(file(), 'utf8')), local_port: 43211 })],
      [
        'a pid that is text',
        JSON.stringify({ ...JSON.parse(readFileSync(file(), 'utf8')), pid: `${process.pid}` }),
      ],
      ['no remote', JSON.stringify({ ...JSON.parse(readFileSync(file(), 'utf8')), remote: undefined })],
      ['huge', JSON.stringify({ junk: 'x'.repeat(2_000_000) })],
    ];
    for (const [what, text] of cases) {
      writeFileSync(file(), text);
      expect(openTunnelAt(dir, 'http://127.0.0.1:43210'), what).to.equal(undefined);
    }
  });

  it('removes only its own record: the port may belong to a newer tunnel by then', () => {
    const forget = recordOpenTunnel(dir, tunnel);
    rewrite((r) => ({ ...r, pid: r.pid + 1 }));
    forget();
    expect(readFileSync(file(), 'utf8')).to.include('alice@box.example:22');
  });
});
