import { expect } from 'chai';
import { dmRoom } from '../../../server/protocol.js';
import { bearer } from '../../helpers/accounts.js';
import { api } from '../../helpers/server.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { ask, connectAs, nextEvent, type ChatPerson } from '../../helpers/sockets.js';

describe('chat: edits and deletions', () => {
  const t = useServer({ env: MANY_SIGNUPS });
  let alice: ChatPerson;
  let bob: ChatPerson;

  before(async () => {
    [alice, bob] = await t.chatPeople('edalice', 'edbob');
  });

  const words = async (socket: Awaited<ReturnType<typeof connectAs>>, query: string) =>
    (await ask(socket, 'search', { query })).messages.map((m: any) => m.text);

  it('shows an edit to the room and in history, keeps the first text, and search follows it', async () => {
    const a = await connectAs(t.url, alice);
    const b = await connectAs(t.url, bob);
    const { id } = await ask(a, 'message', { room: 'lobby', text: 'the meeting is on mondya' });
    expect(await words(b, 'mondya')).to.deep.equal(['the meeting is on mondya']);

    const seen = [nextEvent(a, 'message_edited'), nextEvent(b, 'message_edited')];
    const ack = await ask(a, 'edit', { id, text: 'the meeting is on monday' });
    expect(ack).to.include({ ok: true, id });
    expect(ack.edited_at).to.be.a('number');
    for (const event of await Promise.all(seen)) {
      expect(event).to.deep.equal({
        id,
        room: 'lobby',
        text: 'the meeting is on monday',
        edited_at: ack.edited_at,
        mentions: [],
      });
    }
    const history = await ask(b, 'history', { room: 'lobby' });
    expect(history.messages.find((m: any) => m.id === id)).to.include({
      text: 'the meeting is on monday',
      edited_at: ack.edited_at,
    });
    expect(await words(b, 'mondya')).to.deep.equal([]);
    expect(await words(b, 'monday')).to.deep.equal(['the meeting is on monday']);

    // A second edit keeps the very first text, for moderators.
    await ask(a, 'edit', { id, text: 'the meeting is on tuesday' });
    const row = await t.server.db('messages').where({ id }).first('text', 'first_text');
    expect(row).to.deep.equal({ text: 'the meeting is on tuesday', first_text: 'the meeting is on mondya' });
  });

  it("removes a deletion from history, search and the author's export, and tells the room", async () => {
    const a = await connectAs(t.url, alice);
    const b = await connectAs(t.url, bob);
    const { id } = await ask(a, 'message', { room: 'lobby', text: 'oops wrong window pineapple' });
    const seen = [nextEvent(a, 'message_deleted'), nextEvent(b, 'message_deleted')];
    expect(await ask(a, 'delete', { id })).to.deep.equal({ ok: true, id });
    for (const event of await Promise.all(seen)) expect(event).to.deep.equal({ id, room: 'lobby' });
    const history = await ask(b, 'history', { room: 'lobby', limit: 200 });
    expect(history.messages.map((m: any) => m.id)).to.not.include(id);
    expect(await words(b, 'pineapple')).to.deep.equal([]);
    const exported = await api(t.url, 'GET', '/api/account/export', undefined, bearer(alice.token));
    expect(exported.status).to.equal(200);
    expect(exported.body.messages.map((m: any) => m.id)).to.not.include(id);
    // Gone is gone: a second delete and an edit get the refusal anyone gets.
    expect(await ask(a, 'delete', { id })).to.include({ ok: false, code: 'forbidden' });
    expect(await ask(a, 'edit', { id, text: 'back?' })).to.include({ ok: false, code: 'forbidden' });
  });

  it('sends edits and deletions of a direct message to both users only', async () => {
    const a = await connectAs(t.url, alice);
    const b = await connectAs(t.url, bob);
    const { id } = await ask(a, 'message', { to: bob.username, text: 'dm draft' });
    const edited = nextEvent(b, 'message_edited');
    await ask(a, 'edit', { id, text: 'dm final' });
    expect(await edited).to.include({ id, room: dmRoom(alice.id, bob.id), text: 'dm final' });
    const deleted = nextEvent(b, 'message_deleted');
    await ask(a, 'delete', { id });
    expect(await deleted).to.deep.equal({ id, room: dmRoom(alice.id, bob.id) });
  });

  it('holds an edit to the rules of a message', async () => {
    const a = await connectAs(t.url, alice);
    const { id } = await ask(a, 'message', { room: 'lobby', text: 'rules' });
    const cases: [unknown, string][] = [
      [{ id, text: '   ' }, 'message_empty'],
      [{ id, text: 'x'.repeat(2001) }, 'message_too_long'],
      [{ id, text: 'a\u0000b' }, 'invalid_field'],
      [{ id }, 'invalid_field'],
      [{ text: 'no id' }, 'invalid_field'],
      [{ id: -1, text: 'x' }, 'invalid_field'],
      [{ id: 1.5, text: 'x' }, 'invalid_field'],
      [{ id: String(id), text: 'x' }, 'invalid_field'],
      [{ id: 2 ** 60, text: 'x' }, 'invalid_field'],
      ['just text', 'invalid_field'],
    ];
    for (const [payload, code] of cases) {
      const fresh = await connectAs(t.url, alice);
      expect(await ask(fresh, 'edit', payload), JSON.stringify(payload).slice(0, 60)).to.include({
        ok: false,
        code,
      });
    }
    expect((await t.server.db('messages').where({ id }).first('text')).text).to.equal('rules');
  });

  it('counts edits and deletions in the message budget', async () => {
    const a = await connectAs(t.url, alice);
    const { id } = await ask(a, 'message', { room: 'lobby', text: 'budget' });
    // Sent at once, not one after another: at 5 a second with bursts of 10, a slow machine's
    // round trips would otherwise let the budget refill between edits.
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) => ask(a, 'edit', { id, text: `budget ${i}` })),
    );
    expect(answers.some((x) => x.code === 'rate_limited')).to.equal(true);
  });
});
