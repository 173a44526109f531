import { connect } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import {
  exitWithin,
  PROMPTLY_MS,
  type ServerProcess,
  useServerProcesses,
} from '../../helpers/server-process.js';

/** A 20,000-character message: its frame is over the 16 KiB the server reads. */
const OVERSIZED = JSON.stringify(['message', { text: 'x'.repeat(20_000) }]);

/**
 * A raw WebSocket speaking just enough Engine.IO / Socket.IO to join the namespace, so a test
 * can misbehave where socket.io-client never would (stop reading, never close).
 */
async function rawSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const greeted = new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      const frame = String(data);
      if (frame === '2') ws.send('3'); // Engine.IO ping, pong
      if (frame.startsWith('42["connected"')) resolve();
    });
    ws.once('error', reject);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send('40'); // join the main namespace
  await greeted;
  return ws;
}

/**
 * SIGTERM while clients hold their connections: the server must still exit 0, well within its
 * 10 s shutdown guard. A client that never answers the closing handshake used to hold the HTTP
 * server (and so the process) for the WebSocket library's 30 s close timeout; one that kept its
 * keep-alive connection busy (a Socket.IO client retrying its handshake on it) held it forever.
 */
describe('fault: SIGTERM while clients hold their connections', function () {
  this.timeout(60_000);
  const servers = useServerProcesses();
  const sockets: WebSocket[] = [];
  afterEach(() => {
    for (const ws of sockets.splice(0)) ws.terminate();
  });

  const start = (name: string) => servers.start({ DATABASE_URL: join(servers.dir, `${name}.sqlite`) });

  /** SIGTERM, then the exit status and how long it took; fails past the 10 s guard. */
  const stop = async (server: ServerProcess) => {
    const signalled = Date.now();
    server.proc.kill('SIGTERM');
    const ended = await exitWithin(server, 12_000);
    return { ...ended, ms: Date.now() - signalled };
  };

  it('exits 0 at once after a Socket.IO client sent one and disconnected', async () => {
    const server = await start('client');
    const socket = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connected', () => resolve());
      socket.once('connect_error', reject);
    });
    const refused = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    socket.emit('message', { text: 'x'.repeat(20_000) });
    expect(await refused).to.equal('transport close');
    socket.disconnect();

    const ended = await stop(server);
    expect(ended.code, server.output()).to.equal(0);
    expect(ended.ms).to.be.below(PROMPTLY_MS);
    expect(server.output()).to.not.include('shutdown took over');
  });

  it('exits 0 within the grace when a client sent one and then stopped reading', async () => {
    const server = await start('hostile');
    const ws = await rawSocket(server.url);
    sockets.push(ws);
    ws.send(`42${OVERSIZED}`);
    // Never reads again, so never answers the server's close frame, and never closes.
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const ended = await stop(server);
    expect(ended.code, server.output()).to.equal(0);
    expect(ended.ms).to.be.below(5000);
    expect(server.output()).to.not.include('shutdown took over');
  });

  it('exits 0 within the grace when a connected client stopped reading, frame or not', async () => {
    const server = await start('silent');
    const ws = await rawSocket(server.url);
    sockets.push(ws);
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const ended = await stop(server);
    expect(ended.code, server.output()).to.equal(0);
    expect(ended.ms).to.be.below(5000);
  });

  it('exits 0 at once when a client keeps sending requests on its keep-alive connection', async () => {
    // A costlier hash keeps a login in flight when the signal comes.
    const server = await servers.start({
      DATABASE_URL: join(servers.dir, 'keepalive.sqlite'),
      SCRYPT_LOG_N: '16',
    });
    const { port } = new URL(server.url);
    const conn = connect(Number(port), '127.0.0.1');
    let received = '';
    conn.on('data', (chunk) => (received += chunk));
    conn.on('error', () => {});
    const closed = new Promise<void>((resolve) => conn.once('close', () => resolve()));
    const answers = () => received.match(/^HTTP\/1\.1 /gm)?.length ?? 0;
    const login = JSON.stringify({ username: 'nobody', password: 'not the password' });
    let retry: NodeJS.Timeout | undefined;
    try {
      conn.write(
        'POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${login.length}\r\n\r\n${login}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(answers(), 'the login is in flight').to.equal(0);

      const signalled = Date.now();
      server.proc.kill('SIGTERM');
      // The login is answered; the client goes on asking on the same connection every 100 ms (as
      // a Socket.IO client retrying its handshake does) until the server ends the connection.
      retry = setInterval(() => {
        if (!conn.destroyed) conn.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      }, 100);
      const ended = await exitWithin(server, 12_000);
      expect(ended.code, server.output()).to.equal(0);
      expect(Date.now() - signalled).to.be.below(PROMPTLY_MS);
      expect(server.output()).to.not.include('shutdown took over');
      await closed;
      expect(received).to.match(/^HTTP\/1\.1 401/);
    } finally {
      clearInterval(retry);
      conn.destroy();
    }
  });
});
