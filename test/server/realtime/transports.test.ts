import { expect } from 'chai';
import { io } from 'socket.io-client';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import {
  ask,
  chatPerson,
  connect,
  connectAs,
  disconnectAll,
  disconnected,
  nextEvent,
  record,
  type ChatPerson,
  type ClientSocket,
} from './helpers.js';

describe('Socket.IO chat: transports, recovery and shutdown', () => {
  let t: TestServer;
  let alice: ChatPerson;
  let bob: ChatPerson;

  before(async () => {
    t = await startTestServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '1000' } });
    alice = await chatPerson(t, 'poll');
    bob = await chatPerson(t, 'pollb');
  });
  afterEach(disconnectAll);
  after(() => t.close());

  it('works over the polling transport alone, as third-party clients start', async () => {
    const polling = await connectAs(t.url, alice, { transports: ['polling'] });
    expect(polling.io.engine.transport.name).to.equal('polling');
    const ws = await connectAs(t.url, bob);

    const atWs = nextEvent(ws, 'message', (m) => m.text === 'from polling');
    expect((await ask(polling, 'message', 'from polling')).ok).to.equal(true);
    expect((await atWs).user?.username).to.equal(alice.username);

    const atPolling = nextEvent(polling, 'message', (m) => m.text === 'to polling');
    await ask(ws, 'message', 'to polling');
    expect((await atPolling).user?.username).to.equal(bob.username);

    const history = await ask(polling, 'history', { room: 'lobby', limit: 2 });
    expect(history.messages.map((m: any) => m.text)).to.deep.equal(['from polling', 'to polling']);
  });

  it('lets a guest on polling authenticate with a password', async () => {
    const { socket } = await connect(t.url, { transports: ['polling'] });
    const ack = await ask(socket, 'authenticate', { username: bob.username, password: bob.password });
    expect(ack.ok).to.equal(true);
    expect((await ask(socket, 'message', 'polled in')).ok).to.equal(true);
  });

  it('recovers a briefly dropped connection: same rooms, missed messages delivered', async () => {
    const socket = io(t.url, {
      forceNew: true,
      transports: ['websocket'],
      auth: { token: alice.token },
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
    }) as ClientSocket;
    try {
      await new Promise((resolve) => socket.once('connected', resolve));
      await ask(socket, 'join', { room: 'recover' });
      // Wait for one event so the client holds an offset to recover from.
      const first = nextEvent(socket, 'message', (m) => m.text === 'before drop');
      const sender = await connectAs(t.url, bob);
      await ask(sender, 'join', { room: 'recover' });
      await ask(sender, 'message', { room: 'recover', text: 'before drop' });
      await first;

      const seen = record(socket, 'message');
      const dropped = disconnected(socket);
      socket.io.engine.close();
      expect(await dropped).to.equal('forced close');
      await ask(sender, 'message', { room: 'recover', text: 'while away' });

      const back = await new Promise<any>((resolve) => socket.once('connected', resolve));
      expect(back.recovered).to.equal(true);
      expect(socket.recovered).to.equal(true);
      expect(back.user).to.deep.equal({ id: alice.id, username: alice.username });
      // Socket.IO replays the missed message before the greeting.
      expect(seen.map((m) => m.text)).to.deep.equal(['while away']);
      expect((await ask(socket, 'message', { room: 'recover', text: 'still in the room' })).ok).to.equal(
        true,
      );
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
