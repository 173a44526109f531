import { expect } from 'chai';
import { io } from 'socket.io-client';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { eventually } from '../../helpers/wait.js';
import {
  ask,
  chatPerson,
  connect,
  connectAs,
  disconnectAll,
  disconnected,
  logOut,
  nextEvent,
  record,
  settle,
  type ChatPerson,
  type ClientSocket,
} from './helpers.js';

describe('Socket.IO chat: revocation and connected users', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '1000', SERVER_STATUS_PUBLIC: '1' } });
  });
  afterEach(disconnectAll);
  after(() => t.close());

  it('disconnects the live sockets of a session logged out over REST, and no others', async () => {
    const alice: ChatPerson = await chatPerson(t, 'logout');
    const { socket, authErrors } = await connect(t.url, { token: alice.token, reconnection: true });
    // The same user's other session stays connected.
    const second = await api(t.url, 'POST', '/api/login', {
      username: alice.username,
      password: alice.password,
    });
    const otherSession = await connectAs(t.url, { ...alice, token: second.body.token });

    const gone = disconnected(socket);
    expect((await logOut(t, alice.token)).status).to.equal(204);
    // Disconnected by the server, which a Socket.IO client does not retry.
    expect(await gone).to.equal('io server disconnect');
    expect(authErrors.map((e) => e.code)).to.deep.equal(['unauthorized']);
    await settle(300);
    expect(socket.connected).to.equal(false);
    expect(socket.active).to.equal(false);
    expect((await ask(otherSession, 'message', 'other session lives')).ok).to.equal(true);
  });

  it('lets a socket whose session was revoked while it was away back only as a guest', async () => {
    const erin = await chatPerson(t, 'away');
    const speaker = await chatPerson(t, 'speaker');
    const socket = io(t.url, {
      forceNew: true,
      transports: ['websocket'],
      auth: { token: erin.token },
      reconnectionDelay: 400,
      reconnectionDelayMax: 400,
      randomizationFactor: 0,
    }) as ClientSocket;
    try {
      await new Promise((resolve) => socket.once('connected', resolve));
      const loud = await connectAs(t.url, speaker);
      const first = nextEvent(socket, 'message', (m) => m.text === 'heard live');
      await ask(loud, 'message', 'heard live');
      await first;

      const seen = record(socket, 'message');
      socket.io.engine.close();
      expect((await logOut(t, erin.token)).status).to.equal(204);
      await ask(loud, 'message', 'said after the logout');

      const back = await new Promise<any>((resolve) => socket.once('connected', resolve));
      expect(back.user).to.equal(null);
      expect((await ask(socket, 'history', { room: 'lobby' })).code).to.equal('unauthorized');
      await settle();
      expect(seen).to.deep.equal([]);
    } finally {
      socket.disconnect();
    }
  });

  it('disconnects every socket of a user when the user is revoked', async () => {
    const bob = await chatPerson(t, 'revokeall');
    const a = await connectAs(t.url, bob);
    const b = await connectAs(t.url, bob, { transports: ['polling'] });
    const gone = Promise.all([disconnected(a), disconnected(b)]);
    t.server.realtime.revokeUser(bob.id);
    expect(await gone).to.deep.equal(['io server disconnect', 'io server disconnect']);
  });

  it('counts distinct signed-in users in server-status, not sockets or guests', async () => {
    const status = async () => (await api(t.url, 'GET', '/api/server-status')).body.connected_users;
    const base = await status();
    const carol = await chatPerson(t, 'count');
    const dave = await chatPerson(t, 'countd');
    await connectAs(t.url, carol);
    await connectAs(t.url, carol);
    const daveSocket = await connectAs(t.url, dave);
    await connect(t.url);
    expect(await status()).to.equal(base + 2);
    daveSocket.disconnect();
    await eventually(async () => (await status()) === base + 1, { what: 'dave to be counted out' });
  });
});
