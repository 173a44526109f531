import { expect } from 'chai';
import { io } from 'socket.io-client';
import { eventually } from '../../helpers/wait.js';
import {
  ask,
  disconnected,
  nextEvent,
  record,
  settle,
  type ChatPerson,
  type ClientSocket,
} from '../../helpers/sockets.js';
import { useServer } from '../../helpers/fixture.js';

describe('Socket.IO chat: revocation and connected users', () => {
  const t = useServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '1000', SERVER_STATUS_PUBLIC: '1' } });

  it('disconnects the live sockets of a session logged out over REST, and no others', async () => {
    const alice: ChatPerson = await t.chatPerson('logout');
    const { socket, authErrors } = await t.connect({ token: alice.token, reconnection: true });
    // The same user's other session stays connected.
    const second = await t.api('POST', '/api/login', {
      username: alice.username,
      password: alice.password,
    });
    const otherSession = await t.connectAs({ ...alice, token: second.body.token });

    const gone = disconnected(socket);
    expect((await t.logOut(alice.token)).status).to.equal(204);
    // Disconnected by the server, which a Socket.IO client does not retry.
    expect(await gone).to.equal('io server disconnect');
    expect(authErrors.map((e) => e.code)).to.deep.equal(['unauthorized']);
    await settle(300);
    expect(socket.connected).to.equal(false);
    expect(socket.active).to.equal(false);
    expect((await ask(otherSession, 'message', 'other session lives')).ok).to.equal(true);
  });

  it('lets a socket whose session was revoked while it was away back only as a guest', async () => {
    const erin = await t.chatPerson('away');
    const speaker = await t.chatPerson('speaker');
    const socket = io(t.url, {
      forceNew: true,
      transports: ['websocket'],
      auth: { token: erin.token },
    }) as ClientSocket;
    try {
      await new Promise((resolve) => socket.once('connected', resolve));
      const loud = await t.connectAs(speaker);
      const first = nextEvent(socket, 'message', (m) => m.text === 'heard live');
      await ask(loud, 'message', 'heard live');
      await first;

      const seen = record(socket, 'message');
      // Away until the logout is done (a reconnection before it would be a live socket that the
      // logout disconnects, the test above), then back with the token it holds, as a client
      // comes back after a network drop.
      socket.io.reconnection(false);
      const away = disconnected(socket);
      socket.io.engine.close();
      expect(await away).to.equal('forced close');
      expect((await t.logOut(erin.token)).status).to.equal(204);
      await ask(loud, 'message', 'said after the logout');

      const back = new Promise<any>((resolve) => socket.once('connected', resolve));
      socket.io.reconnection(true);
      socket.connect();
      expect((await back).user).to.equal(null);
      expect((await ask(socket, 'history', { room: 'lobby' })).code).to.equal('unauthorized');
      await settle();
      expect(seen).to.deep.equal([]);
    } finally {
      socket.disconnect();
    }
  });

  it('disconnects every socket of a user when the user is revoked', async () => {
    const bob = await t.chatPerson('revokeall');
    const a = await t.connectAs(bob);
    const b = await t.connectAs(bob, { transports: ['polling'] });
    const gone = Promise.all([disconnected(a), disconnected(b)]);
    t.server.realtime.revokeUser(bob.id);
    expect(await gone).to.deep.equal(['io server disconnect', 'io server disconnect']);
  });

  it('counts distinct signed-in users in server-status, not sockets or guests', async () => {
    const status = async () => (await t.api('GET', '/api/server-status')).body.connected_users;
    const base = await status();
    const carol = await t.chatPerson('count');
    const dave = await t.chatPerson('countd');
    await t.connectAs(carol);
    await t.connectAs(carol);
    const daveSocket = await t.connectAs(dave);
    await t.connect();
    expect(await status()).to.equal(base + 2);
    daveSocket.disconnect();
    await eventually(async () => (await status()) === base + 1, { what: 'dave to be counted out' });
  });
});
