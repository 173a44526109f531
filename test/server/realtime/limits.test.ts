import { expect } from 'chai';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { ask, disconnected, nextEvent, settle, storedTexts, type ChatPerson } from '../../helpers/sockets.js';
import { useServer } from '../../helpers/fixture.js';
import { eventually } from '../../helpers/wait.js';

describe('Socket.IO chat: limits', () => {
  let alice: ChatPerson;
  let bob: ChatPerson;
  const t = useServer({
    env: {
      LIMIT_SIGNUPS_PER_10MIN: '1000',
      LIMIT_SOCKETS_PER_ADDRESS: '6',
      CORS_ORIGINS: 'https://app.example',
    },
  });

  before(async () => {
    [alice, bob] = await t.chatPeople('limit', 'limitb');
  });

  /**
   * Waits until the server holds `count` connections. A slot is given back when the server sees
   * the socket go (its disconnect packet, or its transport's close during the handshake), which is
   * never after the server's count of connections drops; the client's own close says nothing of it.
   */
  const serverHolds = (count: number) =>
    eventually(() => t.server.realtime.io.engine.clientsCount === count, {
      what: `the server to hold ${count} connections`,
    });

  it('refuses part of a flood with rate_limited and stores only what it accepted', async () => {
    const socket = await t.connectAs(alice);
    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) => ask(socket, 'message', { text: `flood ${i}` })),
    );
    const accepted = acks.filter((a) => a.ok);
    const refused = acks.filter((a) => !a.ok);
    // A burst of 10 passes; the rest of the flood does not.
    expect(accepted).to.have.length(10);
    expect(refused).to.have.length(30);
    for (const r of refused) {
      expect(r.code).to.equal('rate_limited');
      expect(r.retry_after_s).to.be.a('number').at.least(1);
    }
    const stored = (await storedTexts(t)).filter((text) => text.startsWith('flood '));
    expect(stored).to.have.length(10);
  });

  it('lets a sustained 5 messages a second through', async function () {
    this.timeout(10_000);
    const socket = await t.connectAs(bob);
    const codes: string[] = [];
    for (let i = 0; i < 15; i++) {
      const ack = await ask(socket, 'message', { text: `steady ${i}` });
      codes.push(ack.ok ? 'ok' : ack.code);
      await settle(200);
    }
    expect(codes).to.deep.equal(Array(15).fill('ok'));
  });

  it('disconnects a socket that sends an oversized frame, and only that socket', async () => {
    const big = await t.connectAs(alice);
    const other = await t.connectAs(bob);
    const gone = disconnected(big);
    big.emit('message', { text: 'x'.repeat(20 * 1024) });
    expect(await gone).to.equal('transport close');
    const seen = nextEvent(other, 'message', (m) => m.text === 'still fine');
    expect((await ask(other, 'message', 'still fine')).ok).to.equal(true);
    await seen;
    expect((await storedTexts(t)).some((text) => text.length > 16 * 1024)).to.equal(false);
  });

  it('refuses connections from one address past LIMIT_SOCKETS_PER_ADDRESS, and frees slots on close', async () => {
    const sockets = [];
    for (let i = 0; i < 6; i++) sockets.push((await t.connect()).socket);
    const refusal = await t.connect().then(
      () => undefined,
      (err: Error & { data?: { code?: string } }) => err,
    );
    expect(refusal?.message).to.match(/too many connections/);
    expect(refusal?.data?.code).to.equal('too_many_connections');

    sockets[0]!.disconnect();
    await serverHolds(5);
    const { hello } = await t.connect();
    expect(hello.sid).to.be.a('string');
  });

  it('gives back the slot of a connection that closes during its handshake', async () => {
    await serverHolds(0); // the sockets of the test before are gone
    // Each raw connection asks to join with a token that needs a database lookup, and closes
    // before the answer: the server sees its transport close while the handshake waits.
    const wsUrl = `${t.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    for (let i = 0; i < 8; i++) {
      const ws = new WebSocket(wsUrl);
      await new Promise((resolve) => ws.once('message', resolve)); // Engine.IO's open packet
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.send(`40${JSON.stringify({ token: `unknown-token-${i}-${'x'.repeat(40)}` })}`);
      ws.terminate();
      await closed;
    }
    await serverHolds(0);
    // Every one of the six slots is free again.
    for (let i = 0; i < 6; i++) expect((await t.connect()).hello.sid).to.be.a('string');
  });

  it('accepts browsers from the same origin or CORS_ORIGINS, and refuses other origins', async () => {
    const attempt = (origin: string, transports: ('polling' | 'websocket')[]) =>
      new Promise<string>((resolve) => {
        const socket = io(t.url, {
          forceNew: true,
          reconnection: false,
          transports,
          extraHeaders: { origin },
        });
        socket.once('connected', () => {
          socket.disconnect();
          resolve('connected');
        });
        socket.once('connect_error', () => {
          socket.disconnect();
          resolve('refused');
        });
      });
    for (const transports of [['polling'], ['websocket']] as ('polling' | 'websocket')[][]) {
      expect(await attempt(t.url, transports), `same origin ${transports}`).to.equal('connected');
      expect(await attempt('https://app.example', transports), `listed ${transports}`).to.equal('connected');
      expect(await attempt('https://evil.example', transports), `other ${transports}`).to.equal('refused');
    }
  });
});
