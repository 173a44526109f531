import { expect } from 'chai';
import {
  ask,
  record,
  settle,
  storedTexts,
  type ChatPerson,
  type ClientSocket,
} from '../../helpers/sockets.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';

describe('Socket.IO chat: payload validation', () => {
  let alice: ChatPerson;
  let socket: ClientSocket;

  const t = useServer({ env: MANY_SIGNUPS });

  before(async () => {
    alice = await t.chatPerson('valid');
  });
  // A fresh socket per test, so no test spends another's message budget.
  beforeEach(async () => {
    socket = await t.connectAs(alice);
  });

  const count = async () => Number((await t.db('messages').count({ n: '*' }))[0]!.n);

  it('accepts exactly 2000 characters and refuses 2001, storing only the first', async () => {
    const ok = await ask(socket, 'message', { text: 'a'.repeat(2000) });
    expect(ok.ok).to.equal(true);
    const tooLong = await ask(socket, 'message', { text: 'b'.repeat(2001) });
    expect(tooLong).to.include({ ok: false, code: 'message_too_long', field: 'text' });
    const texts = await storedTexts(t);
    expect(texts).to.include('a'.repeat(2000));
    expect(texts).to.not.include('b'.repeat(2001));
  });

  it('counts characters, not UTF-16 units: 2000 emoji fit', async () => {
    const ack = await ask(socket, 'message', { text: '🙂'.repeat(2000) });
    expect(ack.ok).to.equal(true);
    expect((await ask(socket, 'message', { text: '🙂'.repeat(2001) })).code).to.equal('message_too_long');
  });

  it('refuses half of a surrogate pair instead of storing U+FFFD, and keeps whole pairs', async () => {
    const before = await count();
    for (const text of ['\ud800', 'ok \udc00 then', '🙂'.slice(0, 1) + 'x', 'x' + '🙂'.slice(1)]) {
      const ack = await ask(socket, 'message', { text });
      expect(ack, JSON.stringify(text)).to.include({ ok: false, code: 'invalid_field', field: 'text' });
      expect(ack.error).to.match(/valid Unicode/);
    }
    expect(await count()).to.equal(before);
    expect((await ask(socket, 'message', { text: 'whole 🙂 pair' })).ok).to.equal(true);
    expect(await storedTexts(t)).to.include('whole 🙂 pair');
  });

  const refusals: [string, unknown, string, string?][] = [
    ['an empty string', '', 'message_empty', 'text'],
    ['only whitespace', '  \n\t ', 'message_empty', 'text'],
    ['empty text', { text: '' }, 'message_empty', 'text'],
    ['a number', 42, 'invalid_field'],
    ['null', null, 'invalid_field'],
    ['an array', ['hi'], 'invalid_field'],
    ['text as a number', { text: 42 }, 'invalid_field', 'text'],
    ['text as an object', { text: { toString: 'x' } }, 'invalid_field', 'text'],
    ['no text', { room: 'lobby' }, 'invalid_field', 'text'],
    ['room as a number', { room: 7, text: 'x' }, 'invalid_field', 'room'],
    ['an upper-case room', { room: 'Lobby', text: 'x' }, 'invalid_field', 'room'],
    ['an empty room', { room: '', text: 'x' }, 'invalid_field', 'room'],
    ['a 33-character room', { room: 'r'.repeat(33), text: 'x' }, 'invalid_field', 'room'],
    ['a room with a colon', { room: 'session:abc', text: 'x' }, 'invalid_field', 'room'],
    ['a room the socket is not in', { room: 'elsewhere', text: 'x' }, 'not_in_room', 'room'],
  ];
  for (const [what, payload, code, field] of refusals) {
    it(`refuses a message that is ${what}, and stores nothing`, async () => {
      const before = await count();
      const ack = await ask(socket, 'message', payload);
      expect(ack).to.include({ ok: false, code });
      expect(ack.error).to.be.a('string').with.length.above(0);
      if (field) expect(ack.field).to.equal(field);
      expect(await count()).to.equal(before);
    });
  }

  it('refuses a message with no payload at all', async () => {
    const ack = await ask(socket, 'message');
    expect(ack).to.include({ ok: false, code: 'invalid_field' });
  });

  it('stores nothing for an invalid message sent without an acknowledgement', async () => {
    const heard = record(socket, 'message');
    const before = await count();
    socket.emit('message', '');
    socket.emit('message', { text: 'x'.repeat(2001) });
    (socket as any).emit('message', 12);
    await settle();
    expect(heard).to.have.length(0);
    expect(await count()).to.equal(before);
  });

  it('refuses invalid join, leave and history payloads', async () => {
    const cases: [string, unknown, string][] = [
      ['join', { room: 'No Spaces' }, 'room'],
      ['join', 'ops', 'room'],
      ['join', {}, 'room'],
      ['leave', { room: 'x'.repeat(33) }, 'room'],
      ['history', { room: 'lobby', limit: 0 }, 'limit'],
      ['history', { room: 'lobby', limit: 201 }, 'limit'],
      ['history', { room: 'lobby', limit: 2.5 }, 'limit'],
      ['history', { room: 'lobby', limit: '10' }, 'limit'],
      ['history', { room: 'lobby', before: -1 }, 'before'],
      ['history', { room: 'lobby', before: 'latest' }, 'before'],
      ['history', { room: 'lobby', after: -1 }, 'after'],
      ['history', { room: 'lobby', after: 0 }, 'after'],
      ['history', { room: 'lobby', after: 2.5 }, 'after'],
      ['history', { room: 'lobby', after: '12' }, 'after'],
      ['history', { room: 'lobby', after: null }, 'after'],
      ['history', { room: 'lobby', after: { $gt: 0 } }, 'after'],
      ['history', { room: 'lobby', after: [1] }, 'after'],
      ['history', { room: 'lobby', after: 1e308 }, 'after'],
      ['history', { room: 'lobby', after: 1, before: 2 }, 'after'],
      ['history', { limit: 5 }, 'room'],
    ];
    for (const [event, payload, field] of cases) {
      const ack = await ask(socket, event, payload);
      expect(ack, `${event} ${JSON.stringify(payload)}`).to.include({ ok: false, code: 'invalid_field' });
      if (typeof payload === 'object')
        expect(ack.field, `${event} ${JSON.stringify(payload)}`).to.equal(field);
    }
  });
});
