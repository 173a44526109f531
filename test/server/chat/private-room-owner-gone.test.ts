import { expect } from 'chai';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { ask, connectAs, nextEvent, type ChatPerson } from '../../helpers/sockets.js';

/*
 * A private room whose owner deletes their account (or an admin deletes it) passes to the member
 * who has been in it longest, in the deletion's transaction: nobody is left in a room nobody may
 * manage, and the members go on reading and writing. A room with nobody else in it stays hidden.
 */
describe('chat: a private room whose owner is deleted', () => {
  const t = useServer({ env: MANY_SIGNUPS });

  const deleteAccount = async (p: ChatPerson) =>
    expect((await t.as(p.token)('DELETE', '/api/account', { password: p.password })).status).to.equal(204);

  it('passes to the longest-standing member, who may then invite and remove; the others carry on', async () => {
    const [owner, first, second, newcomer] = await t.chatPeople('goowner', 'gofirst', 'gosecond', 'gonew');
    const o = await connectAs(t.url, owner);
    expect(await ask(o, 'create', { room: 'heirloom', private: true })).to.include({ ok: true });
    await ask(o, 'join', { room: 'heirloom' });
    await ask(o, 'invite', { room: 'heirloom', username: first.username });
    await ask(o, 'invite', { room: 'heirloom', username: second.username });
    await ask(o, 'message', { room: 'heirloom', text: 'the family silver' });
    await deleteAccount(owner);

    const f = await connectAs(t.url, first);
    const s = await connectAs(t.url, second);
    expect(await ask(f, 'join', { room: 'heirloom' })).to.include({ ok: true });
    expect(await ask(s, 'join', { room: 'heirloom' })).to.include({ ok: true });
    const history = await ask(s, 'history', { room: 'heirloom' });
    expect(history.messages.map((m: { text: string; user: unknown }) => [m.text, m.user])).to.deep.equal([
      ['the family silver', null],
    ]);
    const heard = nextEvent(f, 'message');
    expect(await ask(s, 'message', { room: 'heirloom', text: 'still here' })).to.include({ ok: true });
    expect(await heard).to.include({ text: 'still here' });

    // The first member now owns it; the second is still only a member.
    expect(await ask(s, 'invite', { room: 'heirloom', username: newcomer.username })).to.include({
      ok: false,
      code: 'forbidden',
      error: 'only the owner of #heirloom may invite or remove members',
    });
    expect(await ask(f, 'invite', { room: 'heirloom', username: newcomer.username })).to.include({
      ok: true,
    });
    expect(await ask(f, 'remove', { room: 'heirloom', username: first.username })).to.include({
      ok: false,
      code: 'invalid_field',
    });
    expect(await ask(f, 'remove', { room: 'heirloom', username: second.username })).to.include({ ok: true });
    expect(await t.server.db('private_rooms').where({ room: 'heirloom' }).first()).to.include({
      owner_id: first.id,
    });
    // The new owner finds out in their own activity, with nothing of where the deletion came from.
    const activity = await t.as(first.token)('GET', '/api/account/activity');
    const handed = activity.body.events.find((e: { type: string }) => e.type === 'private_room_handed_over');
    expect(handed).to.include({ ip: null, user_agent: null });
    expect(
      await t.server
        .db('audit_events')
        .where({ type: 'private_room_handed_over', user_id: first.id })
        .first(),
    ).to.include({ detail: '#heirloom', actor_id: null });
  });

  it("an admin's deletion hands over as well", async () => {
    const [owner, member, admin] = await t.chatPeople('goadowner', 'goadmember', 'goadmin');
    await t.server.db('users').where({ id: admin.id }).update({ role: 'admin' });
    const o = await connectAs(t.url, owner);
    await ask(o, 'create', { room: 'adminheir', private: true });
    await ask(o, 'invite', { room: 'adminheir', username: member.username });
    expect((await t.as(admin.token)('DELETE', `/api/admin/users/${owner.id}`)).status).to.equal(204);
    expect(await t.server.db('private_rooms').where({ room: 'adminheir' }).first()).to.include({
      owner_id: member.id,
    });
  });

  it('keeps a room with nobody else in it hidden and its name taken', async () => {
    const [owner, outsider] = await t.chatPeople('golone', 'golook');
    const o = await connectAs(t.url, owner);
    await ask(o, 'create', { room: 'lonely', private: true });
    await ask(o, 'join', { room: 'lonely' });
    await ask(o, 'message', { room: 'lonely', text: 'diary entry' });
    await deleteAccount(owner);
    const s = await connectAs(t.url, outsider);
    const nowhere = 'dm:999999998-999999999';
    const refusal = await ask(s, 'history', { room: nowhere });
    expect(await ask(s, 'history', { room: 'lonely' })).to.deep.equal(refusal);
    expect(await ask(s, 'join', { room: 'lonely' })).to.include({ ok: false, code: 'forbidden' });
    expect((await ask(s, 'search', { query: 'diary' })).messages).to.deep.equal([]);
    expect(await ask(s, 'create', { room: 'lonely', private: true })).to.include({
      ok: false,
      code: 'invalid_field',
    });
    expect(await t.server.db('private_room_members').where({ room: 'lonely' })).to.deep.equal([]);
  });
});
