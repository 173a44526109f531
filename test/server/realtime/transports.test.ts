import { expect } from 'chai';
import { io } from 'socket.io-client';
import { startTestServer } from '../../helpers/server.js';
import { eventually } from '../../helpers/wait.js';
import {
  ask,
  chatPerson,
  connectAs,
  disconnected,
  nextEvent,
  record,
  type ChatPerson,
  type ClientSocket,
} from '../../helpers/sockets.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';

describe('Socket.IO chat: transports, reconnection and shutdown', () => {
  let alice: ChatPerson;
  let bob: ChatPerson;
  const t = useServer({ env: MANY_SIGNUPS });

  before(async () => {
    [alice, bob] = await t.chatPeople('poll', 'pollb');
  });

  it('works over the polling transport alone, as third-party clients start', async () => {
    const polling = await t.connectAs(alice, { transports: ['polling'] });
    expect(polling.io.engine.transport.name).to.equal('polling');
    const ws = await t.connectAs(bob);

    const atWs = nextEvent(ws, 'message', (m) => m.text === 'from polling');
    expect((await ask(polling, 'message', 'from polling')).ok).to.equal(true);
    expect((await atWs).user?.username).to.equal(alice.username);

    const atPolling = nextEvent(polling, 'message', (m) => m.text === 'to polling');
    await ask(ws, 'message', 'to polling');
    expect((await atPolling).user?.username).to.equal(bob.username);

    const history = await ask(polling, 'history', { room: 'lobby', limit: 2 });
    expect(history.messages.map((m: any) => m.text)).to.deep.equal(['from polling', 'to polling']);
  });

  it('delivers a burst whole and in order, to a WebSocket client and to one upgraded from polling', async () => {
    // Frames waiting for a socket leave in one write (batched-frames.ts): a burst from two senders
    // must still reach each kind of connection complete, once each, in the order it was stored.
    const direct = await t.connectAs(bob);
    const upgraded = await t.connectAs(bob, { transports: ['polling', 'websocket'] });
    if (upgraded.io.engine.transport.name !== 'websocket') {
      await new Promise((resolve) => upgraded.io.engine.once('upgrade', resolve));
    }
    expect(upgraded.io.engine.transport.name).to.equal('websocket');
    const seen = [direct, upgraded].map((s) => record(s, 'message'));
    const senders = [await t.connectAs(alice), await t.connectAs(alice)];
    const acks = await Promise.all(
      senders.flatMap((s, i) => Array.from({ length: 10 }, (_, k) => ask(s, 'message', `burst ${i}.${k}`))),
    );
    expect(acks.every((a) => a.ok)).to.equal(true);
    const ids = acks.map((a) => a.id as number).sort((a, b) => a - b);
    for (const messages of seen) {
      await eventually(() => messages.filter((m) => m.text.startsWith('burst ')).length === 20, {
        what: 'the whole burst',
      });
      const burst = messages.filter((m) => m.text.startsWith('burst '));
      expect(burst.map((m) => m.id).sort((a, b) => a - b)).to.deep.equal(ids);
      // Each connection's messages in the order it sent them.
      for (const i of [0, 1]) {
        const texts = burst.map((m) => m.text).filter((text) => text.startsWith(`burst ${i}.`));
        expect(texts).to.deep.equal(Array.from({ length: 10 }, (_, k) => `burst ${i}.${k}`));
      }
    }
  });

  it('lets a guest on polling authenticate with a password', async () => {
    const { socket } = await t.connect({ transports: ['polling'] });
    const ack = await ask(socket, 'authenticate', { username: bob.username, password: bob.password });
    expect(ack.ok).to.equal(true);
    expect((await ask(socket, 'message', 'polled in')).ok).to.equal(true);
  });

  it('sends every event with exactly one argument, broadcasts included', async () => {
    // What a client whose handlers take one argument (python-socketio's) needs: the server must
    // never append anything (as connection state recovery did, an offset after every payload).
    const counts: Record<string, number[]> = {};
    const count = (socket: ClientSocket) =>
      socket.onAny((event: string, ...args: unknown[]) => (counts[event] ??= []).push(args.length));
    const options = { forceNew: true, transports: ['websocket'], reconnection: false };
    const guest = io(t.url, { ...options, auth: { token: 'not a token' } }) as ClientSocket;
    count(guest);
    const refused = nextEvent(guest, 'auth_error');
    const watcher = io(t.url, options) as ClientSocket;
    count(watcher);
    const greeted = nextEvent(watcher, 'connected');
    try {
      await refused;
      await greeted;
      const signedIn = await ask(watcher, 'authenticate', { token: alice.token });
      expect(signedIn.ok).to.equal(true);
      const other = await t.connectAs(bob);
      const typing = nextEvent(watcher, 'typing');
      other.emit('typing', { room: 'lobby' });
      await typing;
      const heard = nextEvent(watcher, 'message', (m) => m.text === 'one argument');
      await ask(other, 'message', 'one argument');
      await heard;
      await eventually(() => counts.presence?.length, { what: 'a presence list' });
      for (const event of ['connected', 'auth_error', 'auth_success', 'typing', 'message', 'presence']) {
        expect(counts[event], event).to.be.an('array').with.length.above(0);
        expect(
          counts[event]!.every((n) => n === 1),
          `${event}: ${counts[event]}`,
        ).to.equal(true);
      }
    } finally {
      guest.disconnect();
      watcher.disconnect();
    }
  });

  it('gives a dropped connection nothing back: it rejoins and catches up with history after', async () => {
    const socket = io(t.url, {
      forceNew: true,
      transports: ['websocket'],
      auth: { token: alice.token },
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
    }) as ClientSocket;
    try {
      await new Promise((resolve) => socket.once('connected', resolve));
      await ask(socket, 'join', { room: 'catchup' });
      const sender = await t.connectAs(bob);
      await ask(sender, 'join', { room: 'catchup' });
      const first = nextEvent(socket, 'message', (m) => m.text === 'before drop');
      const lastSeen = (await ask(sender, 'message', { room: 'catchup', text: 'before drop' })).id;
      await first;

      const seen = record(socket, 'message');
      const dropped = disconnected(socket);
      // Listening before the drop: the client is back within 100 ms, which on a busy machine
      // can be before the two messages below have been answered.
      const greeted = new Promise<any>((resolve) => socket.once('connected', resolve));
      socket.io.engine.close();
      expect(await dropped).to.equal('forced close');
      await ask(sender, 'message', { room: 'catchup', text: 'while away 1' });
      await ask(sender, 'message', { room: 'catchup', text: 'while away 2' });

      const back = await greeted;
      expect(back).to.deep.equal({
        message: back.message,
        sid: socket.id,
        user: { id: alice.id, username: alice.username },
      });
      // A fresh connection: in the lobby only, and nothing replayed.
      expect((await ask(socket, 'message', { room: 'catchup', text: 'too soon' })).code).to.equal(
        'not_in_room',
      );
      await ask(socket, 'join', { room: 'catchup' });
      const missed = await ask(socket, 'history', { room: 'catchup', after: lastSeen });
      expect(missed.messages.map((m: any) => m.text)).to.deep.equal(['while away 1', 'while away 2']);
      expect(seen).to.deep.equal([]);
    } finally {
      socket.disconnect();
    }
  });

  it('closes every socket when the server closes, and the client sees the transport go', async () => {
    const own = await startTestServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '1000' } });
    const carol = await chatPerson(own, 'closing');
    const socket = await connectAs(own.url, carol, { reconnection: false });
    const gone = disconnected(socket);
    await own.close();
    expect(await gone).to.equal('transport close');
  });
});
