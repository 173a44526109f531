import { expect } from 'chai';
import { ask, nextEvent, record, settle, storedTexts, type ChatPerson } from '../../helpers/sockets.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';

describe('Socket.IO chat: messages', () => {
  let alice: ChatPerson;
  let bob: ChatPerson;
  const t = useServer({ env: MANY_SIGNUPS });

  before(async () => {
    [alice, bob] = await t.chatPeople('alice', 'bob');
  });

  it('greets a signed-in socket by name and a guest as a guest', async () => {
    const { hello } = await t.connect({ token: alice.token });
    expect(hello.user).to.deep.equal({ id: alice.id, username: alice.username });
    expect(hello.sid).to.be.a('string').with.length.above(0);
    expect(hello.message).to.be.a('string');

    const guest = await t.connect();
    expect(guest.hello.user).to.equal(null);
    expect(guest.hello.sid).to.equal(guest.socket.id);
  });

  it('delivers a message to both users, the sender included, after storing it', async () => {
    const a = await t.connectAs(alice);
    const b = await t.connectAs(bob);
    const atBob = nextEvent(b, 'message', (m) => m.text === 'hello bob');
    const atAlice = nextEvent(a, 'message', (m) => m.text === 'hello bob');

    const ack = await ask(a, 'message', { room: 'lobby', text: 'hello bob' });
    expect(ack.ok).to.equal(true);
    expect(ack.id).to.be.a('number');

    const [seenByBob, seenByAlice] = await Promise.all([atBob, atAlice]);
    expect(seenByBob).to.deep.equal(seenByAlice);
    expect(seenByBob).to.include({ id: ack.id, room: 'lobby', text: 'hello bob' });
    expect(seenByBob.user).to.deep.equal({ id: alice.id, username: alice.username });
    expect(seenByBob.ts)
      .to.be.a('number')
      .within(Date.now() - 10_000, Date.now() + 1000);
    expect(await storedTexts(t)).to.include('hello bob');

    // And back the other way.
    const reply = nextEvent(a, 'message', (m) => m.text === 'hi alice');
    expect((await ask(b, 'message', { text: 'hi alice' })).ok).to.equal(true);
    expect((await reply).user).to.deep.equal({ id: bob.id, username: bob.username });
  });

  it('takes a bare string as a message to the lobby, with or without an acknowledgement', async () => {
    const a = await t.connectAs(alice);
    const b = await t.connectAs(bob);
    const seen = nextEvent(b, 'message', (m) => m.text === 'plain string');
    const ack = await ask(a, 'message', 'plain string');
    expect(ack.ok).to.equal(true);
    expect((await seen).room).to.equal('lobby');

    // The original clients emit without a callback.
    const noAck = nextEvent(b, 'message', (m) => m.text === 'fire and forget');
    a.emit('message', 'fire and forget');
    expect((await noAck).user?.username).to.equal(alice.username);
  });

  it('refuses a guest with an acknowledgement and auth_error, and stores nothing', async () => {
    const { socket: guest } = await t.connect();
    const listener = await t.connectAs(bob);
    const heard = record(listener, 'message');
    const authError = nextEvent(guest, 'auth_error');

    const ack = await ask(guest, 'message', { text: 'let me in' });
    expect(ack).to.include({ ok: false, code: 'unauthorized' });
    expect(ack.error).to.be.a('string');
    expect((await authError).code).to.equal('unauthorized');

    guest.emit('message', 'no ack either');
    await settle();
    expect(heard).to.have.length(0);
    expect(await storedTexts(t)).to.not.include.members(['let me in', 'no ack either']);
  });

  it('stores and delivers the messages sent alongside one that cannot be stored', async () => {
    const doomed = await t.chatPerson('doomed');
    const d = await t.connectAs(doomed);
    const a = await t.connectAs(alice);
    // The author vanishes under a live socket (the foreign key then refuses the row).
    await t.db('users').where({ id: doomed.id }).delete();
    const [bad, good] = await Promise.all([
      ask(d, 'message', 'from nobody'),
      ask(a, 'message', 'sent at the same moment'),
    ]);
    expect(bad).to.include({ ok: false, code: 'internal_error' });
    expect(good.ok).to.equal(true);
    const texts = await storedTexts(t);
    expect(texts).to.include('sent at the same moment');
    expect(texts).to.not.include('from nobody');
  });

  it('refuses guests for join, leave and history too', async () => {
    const { socket: guest } = await t.connect();
    for (const [event, payload] of [
      ['join', { room: 'ops' }],
      ['leave', { room: 'lobby' }],
      ['history', { room: 'lobby' }],
    ] as const) {
      expect(await ask(guest, event, payload), event).to.include({ ok: false, code: 'unauthorized' });
    }
  });
});
