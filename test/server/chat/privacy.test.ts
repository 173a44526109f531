import { expect } from 'chai';
import { dmRoom } from '../../../server/protocol.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import {
  ask,
  connectAs,
  disconnectAll,
  record,
  settle,
  type ChatPerson,
  type ClientSocket,
} from '../../helpers/sockets.js';

/**
 * The privacy matrix: a third user tries everything on a direct message conversation and on
 * other people's messages, and gets one and the same refusal whether the conversation or message
 * exists or not - so trying teaches them nothing.
 */
describe("chat: what a third user can do with other people's conversations", function () {
  this.timeout(30_000);
  const t = useServer({ env: MANY_SIGNUPS });
  let alice: ChatPerson;
  let bob: ChatPerson;
  let carol: ChatPerson;
  let dm: string;
  let dmId: number;
  let lobbyId: number;
  let refusal: { ok: false; code: string; error: string };

  before(async () => {
    [alice, bob, carol] = await t.chatPeople('pvalice', 'pvbob', 'pvcarol');
    dm = dmRoom(alice.id, bob.id);
    const a = await connectAs(t.url, alice);
    dmId = (await ask(a, 'message', { to: bob.username, text: 'secret plans for tuesday' })).id;
    lobbyId = (await ask(a, 'message', { room: 'lobby', text: 'public plans for tuesday' })).id;
    refusal = await ask(await connectAs(t.url, carol), 'history', { room: dm });
    expect(refusal).to.include({ ok: false, code: 'forbidden' });
    disconnectAll();
  });

  // A socket per attempt keeps the per-socket budgets out of the answers.
  const asCarol = (): Promise<ClientSocket> => connectAs(t.url, carol);

  const unused = () => dmRoom(bob.id, 999_999);
  const attempts: [string, () => [string, unknown]][] = [
    ['join the conversation', () => ['join', { room: dm }]],
    ['join one that was never used', () => ['join', { room: unused() }]],
    ['leave it', () => ['leave', { room: dm }]],
    ['read its history', () => ['history', { room: dm }]],
    ['read the history of one never used', () => ['history', { room: unused() }]],
    ['read its history after an id', () => ['history', { room: dm, after: 1 }]],
    ['write into it', () => ['message', { room: dm, text: 'let me in' }]],
    ['write into one never used', () => ['message', { room: unused(), text: 'let me in' }]],
    ['search it', () => ['search', { query: 'plans', room: dm }]],
    ['search one never used', () => ['search', { query: 'plans', room: unused() }]],
    ['mark it read', () => ['read', { room: dm, id: dmId }]],
    ['mark one never used read', () => ['read', { room: unused(), id: 1 }]],
    ['edit a direct message of alice', () => ['edit', { id: dmId, text: 'changed' }]],
    ['delete a direct message of alice', () => ['delete', { id: dmId }]],
    ['edit a lobby message of alice', () => ['edit', { id: lobbyId, text: 'changed' }]],
    ['delete a lobby message of alice', () => ['delete', { id: lobbyId }]],
    ['edit a message that does not exist', () => ['edit', { id: 987_654, text: 'changed' }]],
    ['delete a message that does not exist', () => ['delete', { id: 987_654 }]],
  ];
  for (const [what, attempt] of attempts) {
    it(`refuses to ${what}, with the same answer`, async () => {
      const [event, payload] = attempt();
      expect(await ask(await asCarol(), event, payload)).to.deep.equal(refusal);
    });
  }

  it('answers a name no conversation can have as a malformed room, whoever asks', async () => {
    for (const room of [
      `dm:${bob.id}-${alice.id}`,
      `dm:${carol.id}-${carol.id}`,
      'dm:0-1',
      'dm:1-',
      'DM:1-2',
    ]) {
      expect(await ask(await asCarol(), 'history', { room }), room).to.include({
        ok: false,
        code: 'invalid_field',
      });
    }
  });

  it('leaves nothing changed by those attempts', async () => {
    const rows = await t.server.db('messages').orderBy('id').select('id', 'room', 'text', 'edited_at');
    expect(rows).to.deep.equal([
      { id: dmId, room: dm, text: 'secret plans for tuesday', edited_at: null },
      { id: lobbyId, room: 'lobby', text: 'public plans for tuesday', edited_at: null },
    ]);
    expect(await t.server.db('read_markers').where({ user_id: carol.id })).to.deep.equal([]);
  });

  it('shows none of it in search, rooms, history or presence', async () => {
    const c = await asCarol();
    const presence = record(c, 'presence');
    const found = await ask(c, 'search', { query: 'plans tuesday' });
    expect(found.messages.map((m: any) => m.text)).to.deep.equal(['public plans for tuesday']);
    const rooms = await ask(c, 'rooms', {});
    expect(rooms.rooms.map((r: any) => r.room)).to.deep.equal(['lobby']);
    // Alice and bob talking live: carol's socket hears nothing, and no presence names the room.
    const a = await connectAs(t.url, alice);
    const carolMessages = record(c, 'message');
    await ask(a, 'message', { to: bob.username, text: 'still secret' });
    await ask(a, 'join', { room: dm });
    await settle();
    expect(carolMessages).to.deep.equal([]);
    expect(presence.filter((p) => p.room.startsWith('dm:'))).to.deep.equal([]);
  });

  it('lets the two users of the conversation do all of it', async () => {
    const b = await connectAs(t.url, bob);
    expect(await ask(b, 'join', { room: dm })).to.deep.equal({ ok: true, room: dm });
    expect((await ask(b, 'history', { room: dm })).messages.map((m: any) => m.text)).to.include(
      'secret plans for tuesday',
    );
    expect((await ask(b, 'search', { query: 'secret', room: dm })).messages).to.have.length.above(0);
    expect(await ask(b, 'read', { room: dm, id: dmId })).to.deep.equal({
      ok: true,
      room: dm,
      last_read_id: dmId,
    });
    // Even bob may not change what alice wrote.
    expect(await ask(b, 'edit', { id: dmId, text: 'changed' })).to.deep.equal(refusal);
  });
});
