import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { api } from '../../helpers/server.js';
import { eventually } from '../../helpers/wait.js';
import type { TunnelStatus } from '../../../tui/client/tunnel/index.js';
import { startTunnelFixture, type TunnelFixture } from '../../helpers/tunnel.js';
import { makeKeyPair, writeKeyPair } from '../../helpers/ssh-keys.js';
import { startSshServer } from '../../helpers/ssh-server.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';

const types = (events: TunnelStatus[]) => events.map((e) => e.type);

/** Whether a fresh server can take the port: the test's view of "the tunnel freed it". */
const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

describe('tunnel: keepalive, reconnection and closing', () => {
  let f: TunnelFixture;
  let proxy: TcpProxy;

  beforeEach(async () => {
    f = await startTunnelFixture();
    proxy = await startTcpProxy(f.ssh.port);
    // The host is the SSH server, reached through a relay the test can break.
    writeFileSync(
      f.knownHostsFile,
      f.ssh.knownHostsLine.replace(`:${f.ssh.port} `, `:${proxy.port} `) + '\n',
    );
  });
  afterEach(async () => {
    await proxy.close(); // first: a frozen relay would keep the SSH server from closing
    await f.cleanup();
  });

  it('reconnects after the SSH connection is cut, keeping the same local URL', async () => {
    const { tunnel, events } = await f.open({ sshPort: proxy.port });
    expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);

    proxy.drop();

    await eventually(() => events.some((e) => e.type === 'reconnected'), { what: 'reconnected' });
    expect(types(events)).to.include.ordered.members([
      'connected',
      'link_lost',
      'reconnecting',
      'reconnected',
    ]);
    expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
    expect(proxy.accepted()).to.equal(2);
  });

  it('notices a link that went silent through keepalives, and reconnects', async () => {
    const { tunnel, events } = await f.open({ sshPort: proxy.port, keepaliveMs: 100, keepaliveCountMax: 2 });

    proxy.freeze();

    const lost = await eventually(() => events.find((e) => e.type === 'link_lost'), {
      what: 'link_lost',
      timeoutMs: 3000,
    });
    expect(lost).to.have.property('reason').that.includes('keepalive');
    await eventually(() => events.some((e) => e.type === 'reconnected'), { what: 'reconnected' });
    expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
  });

  it('keeps retrying with growing delays while the host is down, and a request made meanwhile waits', async () => {
    const { tunnel, events } = await f.open({
      sshPort: proxy.port,
      reconnect: { initialDelayMs: 40, maxDelayMs: 1000, factor: 2 },
    });

    proxy.refuse(true);
    proxy.drop();
    await eventually(() => events.filter((e) => e.type === 'reconnecting').length >= 4, {
      what: 'four reconnection attempts',
    });
    const waiting = api(tunnel.url, 'GET', '/api/health');
    proxy.refuse(false);

    expect((await waiting).status).to.equal(200);
    const delays = events.flatMap((e) => (e.type === 'reconnecting' ? [e.delayMs] : []));
    expect(delays[3]).to.be.greaterThan(delays[0]!);
    const retries = events.filter((e) => e.type === 'reconnecting').slice(1);
    expect(retries.every((e) => e.type === 'reconnecting' && e.lastError)).to.equal(true);
    expect(events.at(-1)).to.include({ type: 'reconnected' });
  });

  it('gives up after maxAttempts: closed resolves with the error and the port is freed', async () => {
    const { tunnel, events } = await f.open({
      sshPort: proxy.port,
      reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 },
    });

    proxy.refuse(true);
    proxy.drop();
    const error = await tunnel.closed;

    expect(error).to.include({ code: 'unreachable' });
    expect(error!.message).to.include('after 3 attempts');
    expect(types(events).at(-1)).to.equal('failed');
    await eventually(() => portIsFree(tunnel.localPort), { what: 'the local port to be free' });
  });

  it('stops, loudly, when the host comes back with another host key', async () => {
    const { tunnel, events } = await f.open({ sshPort: proxy.port, acceptNew: true });
    const impostor = await startSshServer({ authorizedKeys: [f.clientKey] });
    try {
      proxy.retarget(impostor.port);
      proxy.drop();

      const error = await tunnel.closed;
      expect(error).to.include({ code: 'host_key_changed' });
      expect(error!.message).to.include('CHANGED while the tunnel was up');
      expect(impostor.logins, 'no login to the impostor').to.have.length(0);
      expect(types(events).at(-1)).to.equal('failed');
    } finally {
      await impostor.close();
    }
  });

  it('reconnects with an encrypted key without asking for its passphrase again', async () => {
    const locked = makeKeyPair({ passphrase: 'open sesame' });
    const ssh = await startSshServer({ authorizedKeys: [locked], hostKey: f.ssh.hostKey });
    proxy.retarget(ssh.port);
    try {
      let asked = 0;
      const { tunnel, events } = await f.open({
        sshPort: proxy.port,
        identity: writeKeyPair(f.home, 'id_locked', locked),
        prompt: { passphrase: async () => (asked++, 'open sesame') },
      });

      proxy.drop();
      await eventually(() => events.some((e) => e.type === 'reconnected'), { what: 'reconnected' });

      expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);
      expect(ssh.logins).to.have.length(2);
      expect(asked).to.equal(1);
    } finally {
      await proxy.close();
      await ssh.close();
    }
  });

  it('close() ends the SSH connection and frees the local port, and can be called twice', async () => {
    const { tunnel, events } = await f.open({ sshPort: proxy.port });
    expect((await api(tunnel.url, 'GET', '/api/health')).status).to.equal(200);

    await Promise.all([tunnel.close(), tunnel.close()]);

    expect(await portIsFree(tunnel.localPort)).to.equal(true);
    expect(await tunnel.closed).to.equal(undefined);
    await eventually(() => f.ssh.openConnections() === 0, { what: 'the SSH connection to end' });
    expect(types(events)).to.deep.equal(['connected', 'closed']);
  });

  it('close() during an outage stops the retries at once', async () => {
    const { tunnel, events } = await f.open({ sshPort: proxy.port, reconnect: { initialDelayMs: 30 } });
    proxy.refuse(true);
    proxy.drop();
    await eventually(() => events.some((e) => e.type === 'reconnecting'), { what: 'a retry' });

    await tunnel.close();
    const attempts = proxy.accepted();
    await new Promise((r) => setTimeout(r, 200));

    expect(proxy.accepted()).to.equal(attempts);
    expect(await portIsFree(tunnel.localPort)).to.equal(true);
  });
});
