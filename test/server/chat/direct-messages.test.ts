import { expect } from 'chai';
import { dmRoom } from '../../../server/protocol.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { ask, connectAs, nextEvent, record, settle, type ChatPerson } from '../../helpers/sockets.js';

describe('chat: direct messages', () => {
  const t = useServer({ env: MANY_SIGNUPS });
  let alice: ChatPerson;
  let bob: ChatPerson;
  let carol: ChatPerson;

  before(async () => {
    [alice, bob, carol] = await t.chatPeople('dmalice', 'dmbob', 'dmcarol');
  });

  it('reaches every socket of both users wherever they are, and nobody else', async () => {
    const a = await connectAs(t.url, alice);
    const bob1 = await connectAs(t.url, bob);
    const bob2 = await connectAs(t.url, bob);
    // A socket of bob's that left the lobby still gets it: direct messages follow the user.
    expect(await ask(bob2, 'leave', { room: 'lobby' })).to.include({ ok: true });
    const c = await connectAs(t.url, carol);
    const carolSaw = record(c, 'message');
    const arrivals = [nextEvent(a, 'message'), nextEvent(bob1, 'message'), nextEvent(bob2, 'message')];

    const ack = await ask(a, 'message', { to: bob.username, text: 'psst' });
    expect(ack).to.include({ ok: true });
    const room = dmRoom(alice.id, bob.id);
    for (const got of await Promise.all(arrivals)) {
      expect(got).to.deep.include({
        id: ack.id,
        room,
        text: 'psst',
        user: { id: alice.id, username: alice.username },
      });
    }
    await settle();
    expect(carolSaw).to.deep.equal([]);
  });

  it('takes the room name instead of the username, both ways, and the user name in any case', async () => {
    const a = await connectAs(t.url, alice);
    const b = await connectAs(t.url, bob);
    const room = dmRoom(alice.id, bob.id);
    const toAlice = nextEvent(a, 'message', (m) => m.text === 'by room');
    expect(await ask(b, 'message', { room, text: 'by room' })).to.include({ ok: true });
    await toAlice;
    const toBob = nextEvent(b, 'message', (m) => m.text === 'upper case');
    expect(
      await ask(a, 'message', { to: `  ${bob.username.toUpperCase()} `, text: 'upper case' }),
    ).to.include({
      ok: true,
    });
    expect((await toBob).room).to.equal(room);
    const history = await ask(a, 'history', { with: bob.username });
    expect(history.ok).to.equal(true);
    expect(history.messages.map((m: any) => m.text)).to.include.members(['by room', 'upper case']);
    expect(history.messages.every((m: any) => m.room === room)).to.equal(true);
  });

  it('names the room and the other user when history is asked by username, an empty conversation too', async () => {
    const a = await connectAs(t.url, alice);
    // carol and alice never wrote to each other: the answer still says where they would.
    const empty = await ask(a, 'history', { with: `  ${carol.username.toUpperCase()} ` });
    expect(empty).to.deep.include({
      ok: true,
      room: dmRoom(alice.id, carol.id),
      with: { id: carol.id, username: carol.username },
      messages: [],
    });
    // By room, the answer says the room and no `with`.
    const lobby = await ask(a, 'history', { room: 'lobby' });
    expect(lobby).to.include({ ok: true, room: 'lobby' });
    expect(lobby).not.to.have.property('with');
    expect(await ask(a, 'history', { with: 'nobody-at-all' })).to.include({
      ok: false,
      code: 'not_found',
      field: 'with',
    });
  });

  it('refuses a user who does not exist, oneself, and to with room', async () => {
    const a = await connectAs(t.url, alice);
    expect(await ask(a, 'message', { to: 'nobody-at-all', text: 'hi' })).to.include({
      ok: false,
      code: 'not_found',
      field: 'to',
    });
    expect(await ask(a, 'message', { to: alice.username, text: 'hi' })).to.include({
      ok: false,
      code: 'invalid_field',
      field: 'to',
    });
    expect(await ask(a, 'message', { to: bob.username, room: 'lobby', text: 'hi' })).to.include({
      ok: false,
      code: 'invalid_field',
    });
    for (const to of ['', 'ab', 'x'.repeat(300), 'bob!', 42, null, ['dmbob'], { $ne: 1 }]) {
      // A socket of its own for each, so the message budget does not answer first.
      const fresh = await connectAs(t.url, alice);
      expect(await ask(fresh, 'message', { to, text: 'hi' }), JSON.stringify(to)).to.include({
        ok: false,
        code: 'invalid_field',
      });
    }
    expect(await ask(a, 'history', { with: 'nobody-at-all' })).to.include({ ok: false, code: 'not_found' });
    expect(await ask(a, 'history', { with: alice.username })).to.include({
      ok: false,
      code: 'invalid_field',
    });
    expect(await ask(a, 'history', {})).to.include({ ok: false, code: 'invalid_field' });
    expect(await ask(a, 'history', { room: 'lobby', with: bob.username })).to.include({
      ok: false,
      code: 'invalid_field',
    });
    const texts = await t.server.db('messages').where('text', 'hi').count({ n: '*' });
    expect(Number(texts[0]!.n)).to.equal(0);
  });

  it("counts direct messages in the sender's own budget, across their sockets", async () => {
    const sockets = await Promise.all([1, 2, 3].map(() => connectAs(t.url, carol)));
    // Sent at once, not one after another: the budget's windows open with the first message and
    // last a second, and a loaded machine's round trips let them refill between messages.
    const answers = await Promise.all(
      Array.from({ length: 18 }, (_, i) =>
        ask(sockets[i % 3]!, 'message', { to: bob.username, text: `burst ${i}` }),
      ),
    );
    // Each socket alone stays within its own 10-message burst; the user as a whole does not.
    expect(answers.filter((a) => a.ok)).to.have.length.within(9, 11);
    expect(answers.filter((a) => a.code === 'rate_limited')).to.have.length.above(6);
  });

  describe('blocking', () => {
    it("accepts a blocked user's direct message with ok:true and delivers it to the sender only", async () => {
      const dave = await t.chatPerson('dmdave');
      const erin = await t.chatPerson('dmerin');
      const d = await connectAs(t.url, dave);
      const e = await connectAs(t.url, erin);
      expect(await ask(e, 'block', { username: dave.username })).to.deep.equal({
        ok: true,
        username: dave.username,
        blocked: true,
      });
      const erinSaw = record(e, 'message');
      const daveSees = nextEvent(d, 'message', (m) => m.text === 'let me in');
      const ack = await ask(d, 'message', { to: erin.username, text: 'let me in' });
      expect(ack).to.include({ ok: true });
      expect(ack.id).to.be.a('number');
      await daveSees;
      await settle();
      expect(erinSaw).to.deep.equal([]);
      // Not in her history, her room list or her search.
      const history = await ask(e, 'history', { with: dave.username });
      expect(history).to.deep.include({ ok: true, messages: [] });
      const rooms = await ask(e, 'rooms', {});
      expect(rooms.rooms.map((r: any) => r.room)).to.not.include(dmRoom(dave.id, erin.id));
      expect((await ask(e, 'search', { query: 'let me in' })).messages).to.deep.equal([]);
      // Dave's side looks like any conversation.
      expect(
        (await ask(d, 'history', { with: erin.username })).messages.map((m: any) => m.text),
      ).to.deep.equal(['let me in']);

      // In public rooms too: hidden live and in history.
      const erinLobby = record(e, 'message');
      await ask(d, 'message', { room: 'lobby', text: 'lobby from dave' });
      await settle();
      expect(erinLobby).to.deep.equal([]);
      const lobby = await ask(e, 'history', { room: 'lobby', limit: 200 });
      expect(lobby.messages.map((m: any) => m.text)).to.not.include('lobby from dave');

      // Unblocked: delivered again.
      expect(await ask(e, 'unblock', { username: dave.username })).to.deep.equal({
        ok: true,
        username: dave.username,
        blocked: false,
      });
      const now = nextEvent(e, 'message', (m) => m.text === 'better now?');
      expect(await ask(d, 'message', { to: erin.username, text: 'better now?' })).to.include({ ok: true });
      await now;
      // And the conversation is in her list from then on: a room listed for the sender alone is
      // not remembered as listed for both.
      const listed = await ask(e, 'rooms', {});
      expect(listed.rooms.map((r: any) => r.room)).to.include(dmRoom(dave.id, erin.id));
    });

    it('refuses blocking oneself or nobody, and a repeat is harmless', async () => {
      const a = await connectAs(t.url, alice);
      expect(await ask(a, 'block', { username: alice.username })).to.include({
        ok: false,
        code: 'invalid_field',
      });
      expect(await ask(a, 'block', { username: 'nobody-at-all' })).to.include({
        ok: false,
        code: 'not_found',
      });
      expect(await ask(a, 'block', { username: carol.username })).to.include({ ok: true });
      expect(await ask(a, 'block', { username: carol.username })).to.include({ ok: true });
      expect(await ask(a, 'unblock', { username: carol.username })).to.include({ ok: true });
      expect(await ask(a, 'unblock', { username: carol.username })).to.include({ ok: true });
      expect(await t.server.db('user_blocks').where({ blocker_id: alice.id })).to.deep.equal([]);
    });
  });
});
