import { request } from 'node:http';
import { expect } from 'chai';
import { io } from 'socket.io-client';
import { SOCKET_PATH } from '../../../server/protocol.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { useServer } from '../../helpers/fixture.js';

/** DNS rebinding: requests naming a host the server does not answer for get 421. */
describe('security: the Host header (DNS rebinding)', () => {
  const t = useServer({
    env: { PUBLIC_URL: 'https://chat.example.org', ALLOWED_HOSTS: 'proxy.internal, other.example:8443' },
  });

  const get = (path: string, host: string) => rawRequest(t.url, { method: 'GET', path, headers: { host } });

  it('answers 421 misdirected_request to REST calls naming another host', async () => {
    for (const host of [
      'evil.example',
      'evil.example:80',
      'chat.example.org.evil.example',
      'localhost.evil',
    ]) {
      const res = await get('/api/health', host);
      expect(res.status, host).to.equal(421);
      expect(res.body.code).to.equal('misdirected_request');
      expect(res.body.error).to.be.a('string');
      expect(res.headers['cache-control']).to.equal('no-store');
    }
    const login = await rawRequest(t.url, {
      method: 'POST',
      path: '/api/login',
      headers: { host: 'evil.example', 'content-type': 'application/json' },
      chunks: [JSON.stringify({ username: 'someone', password: 'some password' })],
    });
    expect(login.status).to.equal(421);
    expect((await get('/', 'evil.example')).status).to.equal(421);
  });

  it('serves its own names: PUBLIC_URL, the bind address, localhost, IP addresses and ALLOWED_HOSTS', async () => {
    const port = new URL(t.url).port;
    for (const host of [
      'chat.example.org',
      'CHAT.example.org.',
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      '[::1]:5000',
      '192.0.2.7',
      'proxy.internal',
      'other.example:8443',
    ]) {
      expect((await get('/api/health', host)).status, host).to.equal(200);
    }
  });

  it('refuses a Socket.IO polling handshake naming another host', async () => {
    const res = await get(`${SOCKET_PATH}/?EIO=4&transport=polling`, 'evil.example');
    expect(res.status).to.equal(421);
    const ok = await get(`${SOCKET_PATH}/?EIO=4&transport=polling`, new URL(t.url).host);
    expect(ok.status).to.equal(200);
  });

  it('refuses a WebSocket upgrade naming another host', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${t.url}${SOCKET_PATH}/?EIO=4&transport=websocket`, {
        headers: {
          host: 'evil.example',
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).to.equal(421);
  });

  it('still lets a client on its own address connect over WebSocket', async () => {
    const socket = io(t.url, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.on('connect', resolve);
        socket.on('connect_error', reject);
      });
    } finally {
      socket.close();
    }
  });
});
