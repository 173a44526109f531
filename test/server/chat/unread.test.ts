import { expect } from 'chai';
import { CHAT, dmRoom } from '../../../server/protocol.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { ask, connectAs, nextEvent, record, settle, type ChatPerson } from '../../helpers/sockets.js';

describe('chat: read markers, unread counts and mentions', () => {
  // A fresh server for each test: its counts and markers start from nothing.
  const t = useServer({ env: MANY_SIGNUPS, each: true });
  let alice: ChatPerson;
  let bob: ChatPerson;

  beforeEach(async () => {
    [alice, bob] = await t.chatPeople('unalice', 'unbob');
  });

  const roomsOf = async (socket: Awaited<ReturnType<typeof connectAs>>) => {
    const ack = await ask(socket, 'rooms', {});
    expect(ack.ok).to.equal(true);
    return Object.fromEntries(ack.rooms.map((r: any) => [r.room, r]));
  };

  it('counts unread and mentions per user, shared by two devices, and never moves back', async () => {
    const a = await connectAs(t.url, alice);
    const phone = await connectAs(t.url, bob);
    const laptop = await connectAs(t.url, bob);
    const ids: number[] = [];
    for (const text of ['one', `two for @${bob.username}`, 'three']) {
      ids.push((await ask(a, 'message', { room: 'lobby', text })).id);
    }
    // Bob's own message is nothing for him to read.
    await ask(phone, 'message', { room: 'lobby', text: 'mine' });
    expect((await roomsOf(laptop)).lobby).to.deep.equal({
      room: 'lobby',
      unread: 3,
      mentions: 1,
      last_read_id: 0,
    });
    // Alice sees bob's message as unread, and her own not.
    expect((await roomsOf(a)).lobby).to.include({ unread: 1, mentions: 0 });

    const told = nextEvent(laptop, 'read');
    expect(await ask(phone, 'read', { room: 'lobby', id: ids[1] })).to.deep.equal({
      ok: true,
      room: 'lobby',
      last_read_id: ids[1],
    });
    expect(await told).to.deep.equal({ room: 'lobby', last_read_id: ids[1] });
    expect((await roomsOf(laptop)).lobby).to.deep.equal({
      room: 'lobby',
      unread: 1,
      mentions: 0,
      last_read_id: ids[1],
    });

    // An older id (a slow device) leaves the marker where it is.
    expect(await ask(laptop, 'read', { room: 'lobby', id: ids[0] })).to.include({ last_read_id: ids[1] });
    // An id past the newest message counts as the newest.
    const newest = (await t.server.db('messages').max({ id: 'id' }))[0]!.id;
    expect(await ask(laptop, 'read', { room: 'lobby', id: 10_000_000 })).to.include({
      last_read_id: Number(newest),
    });
    expect((await roomsOf(phone)).lobby).to.include({ unread: 0, mentions: 0 });
  });

  it('lists the rooms joined and the direct messages, with who is at the other end', async () => {
    const a = await connectAs(t.url, alice);
    const b = await connectAs(t.url, bob);
    await ask(b, 'join', { room: 'ops' });
    await ask(a, 'message', { to: bob.username, text: `hey @${bob.username}` });
    await ask(a, 'message', { to: bob.username, text: 'are you there' });
    const rooms = await ask(b, 'rooms', {});
    const dm = dmRoom(alice.id, bob.id);
    expect(rooms.rooms).to.deep.equal([
      { room: 'lobby', unread: 0, mentions: 0, last_read_id: 0 },
      { room: 'ops', unread: 0, mentions: 0, last_read_id: 0 },
      { room: dm, unread: 2, mentions: 1, last_read_id: 0, with: { id: alice.id, username: alice.username } },
    ]);
    // Alice has the conversation too, with nothing unread: she wrote it all.
    expect((await roomsOf(a))[dm]).to.deep.include({
      unread: 0,
      with: { id: bob.id, username: bob.username },
    });
  });

  it('puts resolved mentions in the broadcast and tells a mentioned user who is not in the room', async () => {
    const carol = await t.chatPerson('uncarol');
    const a = await connectAs(t.url, alice);
    const b = await connectAs(t.url, bob);
    await ask(a, 'join', { room: 'ops' });
    const c = await connectAs(t.url, carol);
    await ask(c, 'join', { room: 'ops' });
    const carolMentions = record(c, 'mention');
    const mention = nextEvent(b, 'mention');
    const live = nextEvent(c, 'message', (m) => m.room === 'ops');
    const text = `@${bob.username.toUpperCase()} and @${carol.username}. and @nobody-here and me@${bob.username}.test`;
    const { id } = await ask(a, 'message', { room: 'ops', text });
    const message = await live;
    expect(message.mentions.slice().sort()).to.deep.equal([bob.id, carol.id].sort());
    expect(await mention).to.deep.include({ id, room: 'ops', text });
    // Carol is in the room and saw the message itself: no separate mention.
    await settle();
    expect(carolMentions).to.deep.equal([]);
    expect((await ask(b, 'history', { room: 'ops' })).messages[0].mentions.slice().sort()).to.deep.equal(
      [bob.id, carol.id].sort(),
    );
    // An edit re-reads the mentions.
    const edited = nextEvent(c, 'message_edited');
    await ask(a, 'edit', { id, text: `only @${carol.username}` });
    expect((await edited).mentions).to.deep.equal([carol.id]);
    expect(await t.server.db('message_mentions').where({ message_id: id }).pluck('user_id')).to.deep.equal([
      carol.id,
    ]);
  });

  it(`stops counting at ${CHAT.unreadMax}, so a huge room costs what a small one does`, async () => {
    const now = Date.now();
    const rows = Array.from({ length: CHAT.unreadMax + 50 }, (_, i) => ({
      room: 'big',
      user_id: alice.id,
      text: `row ${i}`,
      created_at: now,
    }));
    for (let i = 0; i < rows.length; i += 150) await t.server.db('messages').insert(rows.slice(i, i + 150));
    const b = await connectAs(t.url, bob);
    await ask(b, 'join', { room: 'big' });
    expect((await roomsOf(b)).big).to.include({ unread: CHAT.unreadMax });
  });

  it('refuses read markers that make no sense', async () => {
    const b = await connectAs(t.url, bob);
    for (const payload of [
      { room: 'lobby' },
      { id: 1 },
      { room: 'lobby', id: 0 },
      { room: 'lobby', id: 'x' },
      { room: 'NOPE', id: 1 },
      null,
      'lobby',
    ]) {
      expect(await ask(b, 'read', payload), JSON.stringify(payload)).to.include({
        ok: false,
        code: 'invalid_field',
      });
    }
    expect(await ask(b, 'rooms', 'please')).to.include({ ok: false, code: 'invalid_field' });
    expect(await ask(b, 'rooms', { __proto__: { x: 1 } })).to.include({ ok: true });
    expect(await t.server.db('read_markers')).to.deep.equal([]);
  });
});
