import { expect } from 'chai';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { expectNoBug, WRONG_VALUES } from '../../helpers/hostile-inputs.js';
import { ask, connectAs, nextEvent, record, settle, type ChatPerson } from '../../helpers/sockets.js';

/*
 * Private rooms: the creator owns one, invites and removes members, and to everyone else it is
 * not there - every answer they get names it exactly as a room that does not exist.
 */
describe('chat: private rooms', () => {
  const t = useServer({ env: MANY_SIGNUPS });
  let owner: ChatPerson;
  let friend: ChatPerson;
  let outsider: ChatPerson;
  let mod: ChatPerson;

  before(async () => {
    [owner, friend, outsider, mod] = await t.chatPeople('prowner', 'prfriend', 'proutsider', 'prmod');
    await t.server.db('users').where({ id: mod.id }).update({ role: 'moderator' });
  });

  /** What a user gets for every way of looking at `room`, with the room's name taken out. */
  const answers = async (p: ChatPerson, room: string) => {
    const s = await connectAs(t.url, p);
    const res = {
      join: await ask(s, 'join', { room }),
      history: await ask(s, 'history', { room }),
      search: await ask(s, 'search', { query: 'secret', room }),
      read: await ask(s, 'read', { room, id: 1 }),
      message: await ask(s, 'message', { room, text: 'knock knock' }),
      invite: await ask(s, 'invite', { room, username: outsider.username }),
      moderate: await ask(s, 'moderate', { action: 'kick', room, user_id: owner.id }),
    };
    return JSON.parse(JSON.stringify(res).replaceAll(room, 'ROOM'));
  };

  it('lets the owner invite a member; the room is theirs to read and write', async () => {
    const o = await connectAs(t.url, owner);
    expect(await ask(o, 'create', { room: 'hideout', private: true })).to.deep.equal({
      ok: true,
      room: 'hideout',
      private: true,
    });
    expect(await ask(o, 'join', { room: 'hideout' })).to.include({ ok: true });
    expect(await ask(o, 'invite', { room: 'hideout', username: friend.username })).to.deep.equal({
      ok: true,
      room: 'hideout',
      user: { id: friend.id, username: friend.username },
    });
    const f = await connectAs(t.url, friend);
    expect(await ask(f, 'join', { room: 'hideout' })).to.include({ ok: true });
    const heard = nextEvent(f, 'message');
    await ask(o, 'message', { room: 'hideout', text: 'the secret plan' });
    expect(await heard).to.include({ text: 'the secret plan', room: 'hideout' });
    expect((await ask(f, 'history', { room: 'hideout' })).messages).to.have.length(1);
    const audit = await t.server
      .db('audit_events')
      .whereIn('type', ['private_room_created', 'member_invited'])
      .orderBy('id');
    expect(
      audit.map((e: { type: string; actor_id: number; detail: string }) => [e.type, e.actor_id, e.detail]),
    ).to.deep.equal([
      ['private_room_created', owner.id, '#hideout'],
      ['member_invited', owner.id, '#hideout'],
    ]);
  });

  it('answers an outsider, and a moderator who is not in it, exactly as for a room that does not exist', async () => {
    // The room that does not exist: a direct message room between two users nobody has.
    const nowhere = 'dm:999999998-999999999';
    const expected = await answers(outsider, nowhere);
    expect(expected.join).to.include({ ok: false, code: 'forbidden' });
    expect(await answers(outsider, 'hideout')).to.deep.equal(expected);
    expect(await answers(mod, 'hideout')).to.deep.equal(await answers(mod, nowhere));
    // Inviting into a public room (which has no owner) is the same refusal too.
    expect((await answers(outsider, 'nosuchroom')).invite).to.deep.equal(expected.invite);
    // Nor does it show up in a search of every room, or in the rooms list, or as a mention.
    const s = await connectAs(t.url, outsider);
    expect((await ask(s, 'search', { query: 'secret plan' })).messages).to.deep.equal([]);
    const mentions = record(s, 'mention');
    const o = await connectAs(t.url, owner);
    await ask(o, 'join', { room: 'hideout' });
    expect(
      await ask(o, 'message', { room: 'hideout', text: `@${outsider.username} secret plan two` }),
    ).to.include({ ok: true });
    await settle();
    expect(mentions).to.deep.equal([]);
    const rooms = (await ask(s, 'rooms', {})).rooms.map((r: { room: string }) => r.room);
    expect(rooms).to.not.include('hideout');
    expect(
      (await ask(await connectAs(t.url, friend), 'search', { query: 'secret plan' })).messages,
    ).to.have.length(2);
  });

  it('lets only the owner invite or remove; a removed member leaves at once and cannot come back', async () => {
    const f = await connectAs(t.url, friend);
    expect(await ask(f, 'invite', { room: 'hideout', username: outsider.username })).to.include({
      ok: false,
      code: 'forbidden',
      error: 'only the owner of #hideout may invite or remove members',
    });
    expect(await ask(f, 'join', { room: 'hideout' })).to.include({ ok: true });
    // A member's `rooms` lists it on a fresh connection that is not in it (a client started
    // afresh), with its messages unread: the friend never marked it read.
    const listed = async () => (await ask(await connectAs(t.url, friend), 'rooms', {})).rooms;
    // The owner's two messages so far ("the secret plan", "secret plan two").
    expect((await listed()).find((r: { room: string }) => r.room === 'hideout')).to.deep.include({
      unread: 2,
      last_read_id: 0,
    });
    const o = await connectAs(t.url, owner);
    expect(await ask(o, 'remove', { room: 'hideout', username: owner.username })).to.include({
      ok: false,
      code: 'invalid_field',
    });
    expect(await ask(o, 'remove', { room: 'hideout', username: friend.username })).to.include({ ok: true });
    const heard = record(f, 'message');
    await ask(o, 'message', { room: 'hideout', text: 'after the removal' });
    await settle();
    expect(heard).to.deep.equal([]);
    expect((await listed()).map((r: { room: string }) => r.room)).to.not.include('hideout');
    expect(await ask(f, 'join', { room: 'hideout' })).to.deep.equal(
      JSON.parse(
        JSON.stringify(await ask(f, 'join', { room: 'dm:999999998-999999999' })).replaceAll(
          'dm:999999998-999999999',
          'hideout',
        ),
      ),
    );
    expect(
      await t.server.db('audit_events').where({ type: 'member_removed', user_id: friend.id }).first(),
    ).to.include({
      actor_id: owner.id,
    });
  });

  it('a kick takes a member out but leaves them a member; a ban keeps them out of the room and its history', async () => {
    const [boss, guest] = await t.chatPeople('prkboss', 'prkguest');
    const b = await connectAs(t.url, boss);
    await ask(b, 'create', { room: 'kickden', private: true });
    await ask(b, 'invite', { room: 'kickden', username: guest.username });
    await ask(b, 'invite', { room: 'kickden', username: mod.username });
    const m = await connectAs(t.url, mod);
    await ask(m, 'join', { room: 'kickden' });
    const g = await connectAs(t.url, guest);
    await ask(g, 'join', { room: 'kickden' });
    expect(await ask(m, 'moderate', { action: 'kick', room: 'kickden', user_id: guest.id })).to.include({
      ok: true,
    });
    expect(await ask(g, 'message', { room: 'kickden', text: 'back?' })).to.include({ code: 'not_in_room' });
    // Membership is the owner's to give and take: the moderator's kick is a push out of the door.
    expect(await ask(g, 'join', { room: 'kickden' })).to.include({ ok: true });
    await ask(m, 'moderate', { action: 'ban', room: 'kickden', user_id: guest.id });
    for (const [event, payload] of [
      ['join', { room: 'kickden' }],
      ['history', { room: 'kickden' }],
      ['search', { query: 'back', room: 'kickden' }],
    ] as const) {
      expect(await ask(g, event, payload), event).to.include({ ok: false, code: 'banned' });
    }
    expect(await ask(g, 'message', { room: 'kickden', text: 'still here?' })).to.include({ code: 'banned' });
    // Removed as well, they get the answer of a room that is not there, before any word of the ban.
    expect(await ask(b, 'remove', { room: 'kickden', username: guest.username })).to.include({ ok: true });
    expect(await ask(g, 'message', { room: 'kickden', text: 'and now?' })).to.include({ code: 'forbidden' });
  });

  it('refuses a taken name, the lobby, a public room with messages, and hostile payloads', async () => {
    const s = await connectAs(t.url, outsider);
    await ask(s, 'join', { room: 'publicplace' });
    await ask(s, 'message', { room: 'publicplace', text: 'hi all' });
    for (const room of ['hideout', 'lobby', 'publicplace']) {
      expect(await ask(s, 'create', { room, private: true }), room).to.include({
        ok: false,
        code: 'invalid_field',
      });
    }
    const bad: unknown[] = [
      undefined,
      { room: 'open' },
      { room: 'open', private: false },
      { room: 'open', private: 'true' },
      { room: 'dm:1-2', private: true },
      ...WRONG_VALUES.map((room) => ({ room, private: true })),
    ];
    let socket = s;
    for (const [i, payload] of bad.entries()) {
      if (i > 0 && i % 15 === 0) socket = await connectAs(t.url, outsider);
      expect(await ask(socket, 'create', payload), JSON.stringify(payload)).to.include({
        ok: false,
        code: 'invalid_field',
      });
    }
    socket = await connectAs(t.url, owner);
    for (const [i, username] of WRONG_VALUES.entries()) {
      if (i > 0 && i % 15 === 0) socket = await connectAs(t.url, owner);
      expect(await ask(socket, 'invite', { room: 'hideout', username })).to.include({
        ok: false,
        code: 'invalid_field',
      });
    }
    expect(await ask(socket, 'invite', { room: 'hideout', username: 'nobody-here' })).to.include({
      ok: false,
      code: 'not_found',
    });
    expectNoBug(t);
  });
});
