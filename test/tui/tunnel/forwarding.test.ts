import { expect } from 'chai';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { io } from 'socket.io-client';
import { WebSocketServer, WebSocket } from 'ws';
import { api } from '../../helpers/server.js';
import { startTunnelFixture, type TunnelFixture } from '../../helpers/tunnel.js';

describe('tunnel: forwarding HTTP, WebSocket and Socket.IO to a mux1 server over SSH', () => {
  let f: TunnelFixture;

  beforeEach(async () => {
    f = await startTunnelFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('answers GET /api/health through the tunnel and describes itself', async () => {
    const { tunnel, events } = await f.open();

    expect(tunnel.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(tunnel.localPort).to.equal(Number(new URL(tunnel.url).port));
    expect(tunnel.sshHost).to.equal(`tester@127.0.0.1:${f.ssh.port}`);
    expect(tunnel.remote).to.equal(`127.0.0.1:${new URL(f.mux.url).port}`);
    expect(tunnel.hostKeyFingerprint).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(events[0]).to.deep.include({ type: 'connected', sshHost: tunnel.sshHost });

    const health = await api(tunnel.url, 'GET', '/api/health');
    expect(health.status).to.equal(200);
    expect(health.body).to.include({ status: 'healthy', database: 'healthy' });
    expect(f.ssh.logins).to.deep.equal([{ user: 'tester', publicKey: f.clientKey.publicKey }]);
  });

  it('carries many concurrent connections over one SSH connection, a channel each', async () => {
    const { tunnel } = await f.open();
    const forwardsBefore = f.ssh.forwards;

    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${tunnel.url}/api/health`, { headers: { connection: 'close' } }),
      ),
    );

    expect(answers.map((a) => a.status)).to.deep.equal(Array(20).fill(200));
    expect(f.ssh.openConnections()).to.equal(1);
    expect(f.ssh.forwards - forwardsBefore).to.be.at.least(20);
  });

  it('carries a WebSocket upgrade and frames both ways', async () => {
    const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => echo.once('listening', resolve));
    echo.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo: ${String(data)}`)));
    try {
      const { tunnel } = await f.open({ remotePort: (echo.address() as { port: number }).port });
      const ws = new WebSocket(tunnel.url.replace('http:', 'ws:'));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
      ws.send('hello through ssh');
      expect(await reply).to.equal('echo: hello through ssh');
      ws.close();
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });

  for (const transport of ['websocket', 'polling'] as const) {
    it(`connects Socket.IO over ${transport} and receives the server's connected event`, async function () {
      const probe = await fetch(`${f.mux.url}/socket.io/?EIO=4&transport=polling`);
      await probe.arrayBuffer();
      // The chat server is built alongside the tunnel; until it answers, there is nothing to reach.
      if (probe.status === 404) this.skip();

      const { tunnel } = await f.open();
      const socket = io(tunnel.url, { transports: [transport], reconnection: false, forceNew: true });
      try {
        const hello = await new Promise<any>((resolve, reject) => {
          socket.once('connected', resolve);
          socket.once('connect_error', reject);
        });
        expect(hello.sid).to.be.a('string');
        expect(hello.user).to.equal(null);
        expect(socket.io.engine.transport.name).to.equal(transport);
      } finally {
        socket.close();
      }
    });
  }

  it("listens on 127.0.0.1 only, not on the machine's other addresses", async () => {
    const { tunnel } = await f.open();
    const reachable = (host: string) =>
      new Promise<boolean>((resolve) => {
        const socket = connect(tunnel.localPort, host);
        socket.once('connect', () => resolve(socket.destroy() && true));
        socket.once('error', () => resolve(false));
      });
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.address.startsWith('127.'))
      .map((a) => a!.address);
    expect(await reachable('127.0.0.1')).to.equal(true);
    for (const address of others) expect(await reachable(address), address).to.equal(false);
  });

  it('says once, as a status event, that nothing listens on the remote port', async () => {
    const { tunnel, events } = await f.open({ remotePort: 1 });

    const failed = await fetch(`${tunnel.url}/api/health`).then(
      () => 'answered',
      () => 'failed',
    );
    await fetch(`${tunnel.url}/api/health`).catch(() => undefined);

    expect(failed).to.equal('failed');
    const refusals = events.filter((e) => e.type === 'forward_failed');
    expect(refusals).to.have.length(1);
    expect(refusals[0]).to.deep.include({ remote: '127.0.0.1:1' });
  });
});
