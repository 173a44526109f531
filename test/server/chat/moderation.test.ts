import { expect } from 'chai';
import { dmRoom, type Role } from '../../../server/protocol.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { expectNoBug, SQL_INJECTION, WRONG_VALUES } from '../../helpers/hostile-inputs.js';
import {
  ask,
  connectAs,
  nextEvent,
  record,
  settle,
  type ChatPerson,
  type ClientSocket,
} from '../../helpers/sockets.js';
import { makeToken } from '../../helpers/tokens.js';

/*
 * `moderate` over real sockets: who may (the permission matrix per role and for tokens), what
 * each action does to the member and the room, what the audit log keeps, and what a hostile
 * payload gets.
 */
describe('chat: moderation', () => {
  const t = useServer({ env: MANY_SIGNUPS });
  let user: ChatPerson;
  let mod: ChatPerson;
  let admin: ChatPerson;
  let target: ChatPerson;

  const setRole = (p: ChatPerson, role: Role) => t.server.db('users').where({ id: p.id }).update({ role });

  before(async () => {
    [user, mod, admin, target] = await t.chatPeople('mduser', 'mdmod', 'mdadmin', 'mdtarget');
    await setRole(mod, 'moderator');
    await setRole(admin, 'admin');
  });

  const inRoom = async (p: ChatPerson, room: string, token = p.token): Promise<ClientSocket> => {
    const socket = await connectAs(t.url, { ...p, token });
    if (room !== 'lobby') expect(await ask(socket, 'join', { room })).to.include({ ok: true });
    return socket;
  };

  const auditOf = (type: string, userId: number) =>
    t.server.db('audit_events').where({ type, user_id: userId }).orderBy('id', 'desc').first();

  describe('who may moderate', () => {
    const attempt = async (socket: ClientSocket, room: string) =>
      ask(socket, 'moderate', { action: 'unmute', room, user_id: target.id });

    it('refuses a user, lets a moderator and an admin (sessions)', async () => {
      const answers: Record<string, unknown> = {};
      for (const [name, p] of [
        ['user', user],
        ['moderator', mod],
        ['admin', admin],
      ] as const) {
        const res = await attempt(await inRoom(p, 'lobby'), 'lobby');
        answers[name] = res.ok ? 'ok' : res.code;
      }
      expect(answers).to.deep.equal({ user: 'forbidden', moderator: 'ok', admin: 'ok' });
    });

    it("lets a moderator's token with chat:write, refuses one without it and a user's token", async () => {
      const withWrite = await makeToken(t, mod.token, ['chat:read', 'chat:write']);
      const readOnly = await makeToken(t, mod.token, ['chat:read']);
      const writeOnly = await makeToken(t, mod.token, ['chat:write']);
      const usersToken = await makeToken(t, user.token, ['chat:read', 'chat:write']);
      expect(await attempt(await inRoom(mod, 'lobby', withWrite.token), 'lobby')).to.include({ ok: true });
      expect(await attempt(await connectAs(t.url, { ...mod, token: writeOnly.token }), 'lobby')).to.include({
        ok: true,
      });
      expect(await attempt(await inRoom(mod, 'lobby', readOnly.token), 'lobby')).to.include({
        ok: false,
        code: 'insufficient_scope',
        scope: 'chat:write',
      });
      expect(await attempt(await inRoom(user, 'lobby', usersToken.token), 'lobby')).to.include({
        ok: false,
        code: 'forbidden',
      });
    });

    it('refuses a guest with unauthorized', async () => {
      const guest = (await t.connect()).socket;
      expect(await attempt(guest, 'lobby')).to.include({ ok: false, code: 'unauthorized' });
    });

    it('refuses a moderator acting on an admin or their message, lets an admin act on a moderator', async () => {
      const m = await inRoom(mod, 'lobby');
      const a = await inRoom(admin, 'lobby');
      for (const action of ['kick', 'mute', 'ban'] as const) {
        expect(await ask(m, 'moderate', { action, room: 'lobby', user_id: admin.id, minutes: 5 })).to.include(
          {
            ok: false,
            code: 'forbidden',
            error: 'a moderator cannot moderate an admin',
          },
        );
      }
      const { id } = await ask(a, 'message', { room: 'lobby', text: 'admin speaks' });
      expect(await ask(m, 'moderate', { action: 'delete', room: 'lobby', message_id: id })).to.include({
        ok: false,
        code: 'forbidden',
      });
      expect(await t.server.db('messages').where({ id }).first('id')).to.not.equal(undefined);
      expect(
        await ask(a, 'moderate', { action: 'mute', room: 'lobby', user_id: mod.id, minutes: 1 }),
      ).to.include({ ok: true });
      expect(await ask(a, 'moderate', { action: 'unmute', room: 'lobby', user_id: mod.id })).to.include({
        ok: true,
      });
    });

    it('moderates nobody in a direct message room, and not oneself', async () => {
      const m = await inRoom(mod, 'lobby');
      const dm = dmRoom(target.id, user.id);
      const tm = await inRoom(target, 'lobby');
      const { id } = await ask(tm, 'message', { to: user.username, text: 'private words' });
      for (const payload of [
        { action: 'delete', room: dm, message_id: id },
        { action: 'kick', room: dm, user_id: target.id },
        { action: 'mute', room: dm, user_id: target.id, minutes: 5 },
        { action: 'ban', room: dmRoom(mod.id, target.id), user_id: target.id },
      ]) {
        expect(await ask(m, 'moderate', payload), JSON.stringify(payload)).to.include({
          ok: false,
          code: 'forbidden',
        });
      }
      expect(await t.server.db('messages').where({ id }).first('id')).to.not.equal(undefined);
      expect(await ask(m, 'moderate', { action: 'kick', room: 'lobby', user_id: mod.id })).to.include({
        ok: false,
        code: 'invalid_field',
        field: 'user_id',
      });
    });
  });

  describe('what each action does', () => {
    it("delete: removes anyone's message from history, tells the room, and audits it", async () => {
      const m = await inRoom(mod, 'mdroom');
      const tm = await inRoom(target, 'mdroom');
      const u = await inRoom(user, 'mdroom');
      const { id } = await ask(tm, 'message', { room: 'mdroom', text: 'spam spam spam' });
      const seen = [nextEvent(u, 'message_deleted'), nextEvent(tm, 'message_deleted')];
      expect(await ask(m, 'moderate', { action: 'delete', room: 'mdroom', message_id: id })).to.deep.equal({
        ok: true,
        action: 'delete',
        room: 'mdroom',
      });
      for (const event of await Promise.all(seen)) expect(event).to.deep.equal({ id, room: 'mdroom' });
      const history = await ask(u, 'history', { room: 'mdroom' });
      expect(history.messages.map((x: { id: number }) => x.id)).to.not.include(id);
      const row = await auditOf('message_removed_by_moderator', target.id);
      expect(row).to.include({ actor_id: mod.id, detail: `#mdroom message ${id}` });
      // From where: the moderator's address, as every audited act records it.
      expect(row.ip).to.match(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
      // A message of another room, or none, is not there.
      const other = await ask(tm, 'message', { room: 'lobby', text: 'in the lobby' });
      for (const message_id of [other.id, id, 999_999_999]) {
        expect(await ask(m, 'moderate', { action: 'delete', room: 'mdroom', message_id })).to.include({
          ok: false,
          code: 'not_found',
        });
      }
    });

    it('kick: the member leaves the room on every socket, everyone sees the line, and they may rejoin', async () => {
      const m = await inRoom(mod, 'kickroom');
      const u = await inRoom(user, 'kickroom');
      const t1 = await inRoom(target, 'kickroom');
      const t2 = await inRoom(target, 'kickroom');
      const lines = [nextEvent(u, 'moderation'), nextEvent(t1, 'moderation'), nextEvent(m, 'moderation')];
      const left = nextEvent(u, 'presence', (e) => !e.users.some((x) => x.id === target.id));
      expect(await ask(m, 'moderate', { action: 'kick', room: 'kickroom', user_id: target.id })).to.include({
        ok: true,
      });
      for (const line of await Promise.all(lines)) {
        expect(line).to.deep.equal({
          room: 'kickroom',
          action: 'kick',
          user: { id: target.id, username: target.username },
          by: { id: mod.id, username: mod.username },
        });
      }
      await left;
      const heard = [...record(t1, 'message'), ...record(t2, 'message')];
      await ask(u, 'message', { room: 'kickroom', text: 'after the kick' });
      await settle();
      expect(heard).to.deep.equal([]);
      expect(await ask(t1, 'message', { room: 'kickroom', text: 'still here?' })).to.include({
        ok: false,
        code: 'not_in_room',
      });
      expect(await ask(t1, 'join', { room: 'kickroom' })).to.include({ ok: true });
      expect(await auditOf('member_kicked', target.id)).to.include({ actor_id: mod.id, detail: '#kickroom' });
    });

    it('mute: their messages answer muted with until, others are unaffected, unmute ends it', async () => {
      const m = await inRoom(mod, 'muteroom');
      const u = await inRoom(user, 'muteroom');
      const tm = await inRoom(target, 'muteroom');
      const earlier = await ask(tm, 'message', { room: 'muteroom', text: 'before the mute' });
      const line = nextEvent(u, 'moderation');
      const before = Date.now();
      const ack = await ask(m, 'moderate', {
        action: 'mute',
        room: 'muteroom',
        user_id: target.id,
        minutes: 10,
      });
      expect(ack).to.include({ ok: true, action: 'mute', room: 'muteroom' });
      expect(ack.until).to.be.within(before + 600_000 - 1000, Date.now() + 600_000);
      expect(await line).to.include({ action: 'mute', until: ack.until });
      const refused = await ask(tm, 'message', { room: 'muteroom', text: 'let me talk' });
      // Nor may they say it by editing what they said before.
      expect(await ask(tm, 'edit', { id: earlier.id, text: 'edited while muted' })).to.include({
        ok: false,
        code: 'muted',
      });
      expect(refused).to.include({ ok: false, code: 'muted', until: ack.until });
      expect(refused.error).to.match(/muted you in #muteroom until/);
      // Only in that room: the lobby and their direct messages still work.
      expect(await ask(tm, 'message', { room: 'lobby', text: 'lobby is fine' })).to.include({ ok: true });
      expect(await ask(u, 'message', { room: 'muteroom', text: 'I can talk' })).to.include({ ok: true });
      expect(await auditOf('member_muted', target.id)).to.include({
        actor_id: mod.id,
        detail: '#muteroom for 10 minutes',
      });
      expect(await ask(m, 'moderate', { action: 'unmute', room: 'muteroom', user_id: target.id })).to.include(
        {
          ok: true,
        },
      );
      expect(await ask(tm, 'message', { room: 'muteroom', text: 'thanks' })).to.include({ ok: true });
      expect(await auditOf('member_unmuted', target.id)).to.include({ actor_id: mod.id });
    });

    it("mute in a burst: the muted member's messages are all refused, everyone else's stored in order", async () => {
      // The messages of one turn share their sanction and privacy lookups (store/coalesce.ts):
      // each must still get its own author's answer, and a mute or unmute acknowledged before
      // the burst must hold for every message of it.
      const m = await inRoom(mod, 'burstroom');
      const u = await inRoom(user, 'burstroom');
      const tm = await inRoom(target, 'burstroom');
      await ask(m, 'moderate', { action: 'mute', room: 'burstroom', user_id: target.id, minutes: 5 });
      // Each socket's budget allows a burst of 10: the second burst comes from fresh sockets.
      const burst = (label: string, [a, b]: ClientSocket[]) =>
        Array.from({ length: 8 }, (_, i) => [
          ask(a!, 'message', { room: 'burstroom', text: `${label} user ${i}` }),
          ask(b!, 'message', { room: 'burstroom', text: `${label} target ${i}` }),
        ]).flat();
      const muted = await Promise.all(burst('muted', [u, tm]));
      expect(muted.filter((_, i) => i % 2 === 0).map((a) => a.ok)).to.deep.equal(Array(8).fill(true));
      expect(muted.filter((_, i) => i % 2 === 1).map((a) => a.code)).to.deep.equal(Array(8).fill('muted'));
      await ask(m, 'moderate', { action: 'unmute', room: 'burstroom', user_id: target.id });
      const again = [await inRoom(user, 'burstroom'), await inRoom(target, 'burstroom')];
      const free = await Promise.all(burst('free', again));
      expect(free.map((a) => a.ok)).to.deep.equal(Array(16).fill(true));
      const stored = await t.server.db('messages').where({ room: 'burstroom' }).orderBy('id').pluck('text');
      const of = (who: string) => stored.filter((text: string) => text.includes(` ${who} `));
      expect(of('user')).to.deep.equal([
        ...Array.from({ length: 8 }, (_, i) => `muted user ${i}`),
        ...Array.from({ length: 8 }, (_, i) => `free user ${i}`),
      ]);
      expect(of('target')).to.deep.equal(Array.from({ length: 8 }, (_, i) => `free target ${i}`));
    });

    it('mute: ends by itself when its minutes are over', async () => {
      const m = await inRoom(mod, 'shortmute');
      const tm = await inRoom(target, 'shortmute');
      await ask(m, 'moderate', { action: 'mute', room: 'shortmute', user_id: target.id, minutes: 1 });
      expect(await ask(tm, 'message', { room: 'shortmute', text: 'now?' })).to.include({ code: 'muted' });
      await t.server
        .db('room_sanctions')
        .where({ room: 'shortmute' })
        .update({ until: Date.now() - 1 });
      expect(await ask(tm, 'message', { room: 'shortmute', text: 'now!' })).to.include({ ok: true });
    });

    it('ban: the member leaves, cannot join or write again until unbanned', async () => {
      const m = await inRoom(mod, 'banroom');
      const u = await inRoom(user, 'banroom');
      const tm = await inRoom(target, 'banroom');
      const lines = [nextEvent(u, 'moderation'), nextEvent(tm, 'moderation')];
      expect(await ask(m, 'moderate', { action: 'ban', room: 'banroom', user_id: target.id })).to.include({
        ok: true,
        until: null,
      });
      for (const line of await Promise.all(lines)) expect(line).to.include({ action: 'ban', until: null });
      const heard = record(tm, 'message');
      await ask(u, 'message', { room: 'banroom', text: 'they are gone' });
      await settle();
      expect(heard).to.deep.equal([]);
      expect(await ask(tm, 'join', { room: 'banroom' })).to.include({ ok: false, code: 'banned' });
      const fresh = await connectAs(t.url, target);
      expect(await ask(fresh, 'join', { room: 'banroom' })).to.include({ ok: false, code: 'banned' });
      expect(await auditOf('member_banned', target.id)).to.include({ actor_id: mod.id, detail: '#banroom' });
      expect(await ask(m, 'moderate', { action: 'unban', room: 'banroom', user_id: target.id })).to.include({
        ok: true,
      });
      expect(await ask(tm, 'join', { room: 'banroom' })).to.include({ ok: true });
      expect(await auditOf('member_unbanned', target.id)).to.include({ actor_id: mod.id });
    });

    it("ban from the lobby: a banned member's new sockets leave it and cannot write there", async () => {
      const a = await inRoom(admin, 'lobby');
      await ask(a, 'moderate', { action: 'ban', room: 'lobby', user_id: target.id, minutes: 60 });
      const tm = await connectAs(t.url, target);
      expect(await ask(tm, 'message', { room: 'lobby', text: 'hello?' })).to.include({
        ok: false,
        code: 'banned',
      });
      const heard = record(tm, 'message');
      await settle();
      await ask(a, 'message', { room: 'lobby', text: 'not for banned ears' });
      await settle();
      expect(heard).to.deep.equal([]);
      await ask(a, 'moderate', { action: 'unban', room: 'lobby', user_id: target.id });
    });

    it("ban: keeps the member out of the room's history, search and mentions until unbanned", async () => {
      const m = await inRoom(mod, 'banread');
      const tm = await inRoom(target, 'banread');
      expect(await ask(m, 'message', { room: 'banread', text: 'walrus before the ban' })).to.include({
        ok: true,
      });
      // A public room the member is not banned from stays readable from outside, to compare.
      const other = await inRoom(mod, 'banfree');
      await ask(other, 'message', { room: 'banfree', text: 'walrus elsewhere' });
      await ask(m, 'moderate', { action: 'ban', room: 'banread', user_id: target.id });
      const refused = { ok: false, code: 'banned', error: 'a moderator banned you from #banread' };
      expect(await ask(tm, 'history', { room: 'banread' })).to.include(refused);
      expect(await ask(tm, 'search', { query: 'walrus', room: 'banread' })).to.include(refused);
      const rooms = async () =>
        (await ask(tm, 'search', { query: 'walrus' })).messages.map((x: { room: string }) => x.room);
      expect(await rooms()).to.deep.equal(['banfree']);
      // A mention in the room does not carry its text to them either.
      const mentions = record(tm, 'mention');
      await ask(m, 'message', { room: 'banread', text: `@${target.username} walrus while banned` });
      await settle();
      expect(mentions).to.deep.equal([]);
      // A ban that has run out no longer holds, as for join.
      await t.server.db('room_sanctions').where({ room: 'banread', user_id: target.id }).update({ until: 1 });
      expect(await ask(tm, 'history', { room: 'banread' })).to.include({ ok: true });
      await ask(m, 'moderate', { action: 'ban', room: 'banread', user_id: target.id });
      expect(await ask(tm, 'history', { room: 'banread' })).to.include(refused);
      await ask(m, 'moderate', { action: 'unban', room: 'banread', user_id: target.id });
      const history = await ask(tm, 'history', { room: 'banread' });
      expect(history.messages.map((x: { text: string }) => x.text)).to.deep.equal([
        'walrus before the ban',
        `@${target.username} walrus while banned`,
      ]);
      expect((await ask(tm, 'search', { query: 'walrus', room: 'banread' })).messages).to.have.length(2);
      expect(await rooms()).to.have.members(['banread', 'banread', 'banfree']);
      const heard = nextEvent(tm, 'mention');
      await ask(m, 'message', { room: 'banread', text: `@${target.username} walrus welcome back` });
      expect(await heard).to.include({ text: `@${target.username} walrus welcome back` });
    });
  });

  describe('hostile payloads', () => {
    it('answers wrong types, huge, negative and missing values with invalid_field and changes nothing', async () => {
      let m = await inRoom(mod, 'lobby');
      const sanctionsBefore = await t.server.db('room_sanctions').count({ n: '*' }).first();
      const bad: unknown[] = [
        undefined,
        null,
        'kick',
        42,
        [],
        {},
        { action: 'explode', room: 'lobby', user_id: target.id },
        { action: 'kick', room: 'Lobby!', user_id: target.id },
        { action: 'kick', room: 'lobby' },
        { action: 'kick', room: 'lobby', user_id: '5' },
        { action: 'kick', room: 'lobby', user_id: -1 },
        { action: 'kick', room: 'lobby', user_id: 1.5 },
        { action: 'kick', room: 'lobby', user_id: Number.MAX_SAFE_INTEGER + 2 },
        { action: 'mute', room: 'lobby', user_id: target.id },
        { action: 'mute', room: 'lobby', user_id: target.id, minutes: 0 },
        { action: 'mute', room: 'lobby', user_id: target.id, minutes: -5 },
        { action: 'mute', room: 'lobby', user_id: target.id, minutes: 10_081 },
        { action: 'mute', room: 'lobby', user_id: target.id, minutes: 1e308 },
        { action: 'mute', room: 'lobby', user_id: target.id, minutes: '10' },
        { action: 'mute', room: 'lobby', user_id: target.id, minutes: 2.5 },
        { action: 'kick', room: 'lobby', user_id: target.id, username: target.username },
        { action: 'kick', room: 'lobby', username: 'no spaces allowed' },
        ...[...WRONG_VALUES, ...SQL_INJECTION].map((v) => ({ action: 'kick', room: 'lobby', username: v })),
        { action: 'delete', room: 'lobby' },
        { action: 'delete', room: 'lobby', message_id: 'x' },
        ...[...WRONG_VALUES, ...SQL_INJECTION].map((v) => ({ action: 'ban', room: v, user_id: target.id })),
        ...WRONG_VALUES.map((v) => ({ action: v, room: 'lobby', user_id: target.id })),
        ...[...WRONG_VALUES, ...SQL_INJECTION].map((v) => ({ action: 'ban', room: 'lobby', user_id: v })),
        ...WRONG_VALUES.map((v) => ({ action: 'mute', room: 'lobby', user_id: target.id, minutes: v })),
      ];
      // A socket may ask 20 times a second: a fresh one every 15 payloads stays under it.
      let socket = m;
      for (const [i, payload] of bad.entries()) {
        if (i > 0 && i % 15 === 0) socket = await inRoom(mod, 'lobby');
        const res = await ask(socket, 'moderate', payload);
        expect(res, JSON.stringify(payload)).to.include({ ok: false, code: 'invalid_field' });
        expect(res.error)
          .to.be.a('string')
          .and.not.match(/at |Error:/);
      }
      m = await inRoom(mod, 'lobby');
      // NaN and Infinity cannot cross JSON; they arrive as null and are refused like it.
      for (const minutes of [NaN, Infinity]) {
        expect(
          await ask(m, 'moderate', { action: 'mute', room: 'lobby', user_id: target.id, minutes }),
        ).to.include({ ok: false, code: 'invalid_field', field: 'minutes' });
      }
      const proto = JSON.parse('{"action":"kick","room":"lobby","user_id":1,"__proto__":{"x":1}}');
      expect(await ask(m, 'moderate', proto)).to.include({ ok: false, code: 'invalid_field' });
      expect(
        await ask(m, 'moderate', { action: 'kick', room: 'lobby', username: 'nobody-at-all' }),
      ).to.include({
        ok: false,
        code: 'not_found',
        field: 'username',
      });
      expect(await ask(m, 'moderate', { action: 'kick', room: 'lobby', user_id: 999_999_999 })).to.include({
        ok: false,
        code: 'not_found',
      });
      expect(await t.server.db('room_sanctions').count({ n: '*' }).first()).to.deep.equal(sanctionsBefore);
      expectNoBug(t);
    });
  });
});
