import { expect } from 'chai';
import { ask, nextEvent, record, settle, type ChatPerson } from '../../helpers/sockets.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { eventually } from '../../helpers/wait.js';

describe('Socket.IO chat: rooms, presence and typing', () => {
  let alice: ChatPerson;
  let bob: ChatPerson;
  const t = useServer({ env: MANY_SIGNUPS });

  before(async () => {
    [alice, bob] = await t.chatPeople('rooma', 'roomb');
  });

  const names = (users: { username: string }[]) => users.map((u) => u.username);

  it('keeps rooms apart: a message reaches only the sockets in its room', async () => {
    const a = await t.connectAs(alice);
    const b = await t.connectAs(bob);
    expect(await ask(a, 'join', { room: 'ops' })).to.deep.equal({ ok: true, room: 'ops' });
    const bobHeard = record(b, 'message');

    const inOps = nextEvent(a, 'message', (m) => m.room === 'ops');
    expect((await ask(a, 'message', { room: 'ops', text: 'ops only' })).ok).to.equal(true);
    expect((await inOps).text).to.equal('ops only');

    const inLobby = nextEvent(b, 'message', (m) => m.text === 'lobby only');
    expect((await ask(a, 'message', { room: 'lobby', text: 'lobby only' })).ok).to.equal(true);
    await inLobby;
    await settle();
    expect(bobHeard.map((m) => m.text)).to.deep.equal(['lobby only']);
  });

  it('stops delivering a room after leave, and refuses sending there', async () => {
    const a = await t.connectAs(alice);
    const b = await t.connectAs(bob);
    await ask(a, 'join', { room: 'dev' });
    await ask(b, 'join', { room: 'dev' });
    expect(await ask(b, 'leave', { room: 'dev' })).to.deep.equal({ ok: true, room: 'dev' });
    // Leaving again is harmless.
    expect((await ask(b, 'leave', { room: 'dev' })).ok).to.equal(true);
    const bobHeard = record(b, 'message');
    const own = nextEvent(a, 'message', (m) => m.text === 'after bob left');
    await ask(a, 'message', { room: 'dev', text: 'after bob left' });
    await own;
    await settle();
    expect(bobHeard).to.have.length(0);
    expect((await ask(b, 'message', { room: 'dev', text: 'x' })).code).to.equal('not_in_room');
  });

  it('lets a socket leave the lobby, after which lobby messages pass it by', async () => {
    const a = await t.connectAs(alice);
    const b = await t.connectAs(bob);
    await ask(b, 'leave', { room: 'lobby' });
    const bobHeard = record(b, 'message');
    const own = nextEvent(a, 'message', (m) => m.text === 'lobby without bob');
    await ask(a, 'message', 'lobby without bob');
    await own;
    await settle();
    expect(bobHeard).to.have.length(0);
  });

  it('announces presence when a user arrives in and leaves a room', async () => {
    const a = await t.connectAs(alice);
    await ask(a, 'join', { room: 'garden' });
    await nextEvent(a, 'presence', (p) => p.room === 'garden');

    const b = await t.connectAs(bob);
    const bobArrives = nextEvent(a, 'presence', (p) => p.room === 'garden' && p.users.length === 2);
    const bobSees = nextEvent(b, 'presence', (p) => p.room === 'garden');
    await ask(b, 'join', { room: 'garden' });
    const arrived = await bobArrives;
    expect(names(arrived.users)).to.have.members([alice.username, bob.username]);
    expect(arrived.users.find((u) => u.username === bob.username)).to.deep.equal({
      id: bob.id,
      username: bob.username,
    });
    expect(names((await bobSees).users)).to.have.members([alice.username, bob.username]);

    const bobLeaves = nextEvent(a, 'presence', (p) => p.room === 'garden' && p.users.length === 1);
    await ask(b, 'leave', { room: 'garden' });
    expect(names((await bobLeaves).users)).to.deep.equal([alice.username]);
  });

  it('counts a user once: a second socket is not an arrival, and only the last one leaving is', async () => {
    const a = await t.connectAs(alice);
    await ask(a, 'join', { room: 'tea' });
    const b1 = await t.connectAs(bob);
    const joined = nextEvent(a, 'presence', (p) => p.room === 'tea' && p.users.length === 2);
    await ask(b1, 'join', { room: 'tea' });
    await joined;

    const aliceSees = record(a, 'presence');
    const b2 = await t.connectAs(bob);
    // The second socket is told who is there, for itself.
    const own = nextEvent(b2, 'presence', (p) => p.room === 'tea');
    await ask(b2, 'join', { room: 'tea' });
    expect(names((await own).users)).to.have.members([alice.username, bob.username]);
    b1.disconnect();
    await settle(200);
    expect(aliceSees.filter((p) => p.room === 'tea')).to.have.length(0);

    const gone = nextEvent(a, 'presence', (p) => p.room === 'tea' && p.users.length === 1);
    b2.disconnect();
    expect(names((await gone).users)).to.deep.equal([alice.username]);
  });

  it('announces presence in the lobby when a signed-in socket connects', async () => {
    const a = await t.connectAs(alice);
    const arrival = nextEvent(
      a,
      'presence',
      (p) => p.room === 'lobby' && names(p.users).includes(bob.username),
    );
    await t.connectAs(bob);
    expect(names((await arrival).users)).to.include.members([alice.username, bob.username]);
  });

  it('relays typing to the rest of the room, not to the typist, at most once a second', async () => {
    const a = await t.connectAs(alice);
    const b = await t.connectAs(bob);
    const own = record(a, 'typing');
    const seen = record(b, 'typing');
    for (let i = 0; i < 5; i++) a.emit('typing', { room: 'lobby' });
    // Typing for a room alice is not in, or in a malformed shape, goes nowhere.
    a.emit('typing', { room: 'elsewhere' });
    (a as any).emit('typing', 'lobby');
    await eventually(() => seen.length > 0, { what: 'the typing relay' });
    await settle(200);
    expect(seen).to.deep.equal([{ room: 'lobby', user: { id: alice.id, username: alice.username } }]);
    expect(own).to.have.length(0);
  });

  it('limits how many rooms one socket may be in', async () => {
    const a = await t.connectAs(alice);
    const codes: string[] = [];
    // The lobby is one; 49 more fit.
    for (let i = 0; i < 50; i++) {
      const ack = await ask(a, 'join', { room: `r${i}` });
      codes.push(ack.ok ? 'ok' : ack.code);
      if (i % 15 === 14) await settle(1000); // stay inside the request budget
    }
    expect(codes.slice(0, 49).every((c) => c === 'ok')).to.equal(true);
    expect(codes[49]).to.equal('too_many_rooms');
  });
});
