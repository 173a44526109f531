import { expect } from 'chai';
import {
  ask,
  expectStoredInOrder,
  record,
  settle,
  type ChatPerson,
  type ClientSocket,
} from '../../helpers/sockets.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';

/**
 * `message` with `client_id`: a resend after a lost acknowledgement stores nothing new and is
 * acknowledged with the first message's id, however it races the first one.
 */
describe('Socket.IO chat: client_id makes a resend safe', () => {
  let alice: ChatPerson;
  let bob: ChatPerson;
  const t = useServer({ env: MANY_SIGNUPS });

  before(async () => {
    [alice, bob] = await t.chatPeople('cid', 'cidb');
  });

  const rowsWith = async (text: string) =>
    (await t.db('messages').where({ text }).select('id', 'client_id', 'user_id')) as {
      id: number;
      client_id: string | null;
      user_id: number;
    }[];

  it('stores a resend once, acknowledges the first id, and shows the room one message', async () => {
    const a = await t.connectAs(alice);
    const listener = await t.connectAs(bob);
    const heard = record(listener, 'message');
    const first = await ask(a, 'message', { text: 'said once', client_id: 'c-1' });
    expect(first.ok).to.equal(true);
    const again = await ask(a, 'message', { text: 'said once', client_id: 'c-1' });
    expect(again).to.deep.equal({ ok: true, id: first.id });
    // The first message stands, whatever a resend carries.
    const changed = await ask(a, 'message', { text: 'said twice?', client_id: 'c-1' });
    expect(changed).to.deep.equal({ ok: true, id: first.id });
    await settle();
    expect(heard.map((m) => m.text)).to.deep.equal(['said once']);
    expect(await rowsWith('said once')).to.deep.equal([
      { id: first.id, client_id: 'c-1', user_id: alice.id },
    ]);
    expect(await rowsWith('said twice?')).to.deep.equal([]);
    const lobby = (await ask(a, 'history', { room: 'lobby', limit: 200 })).messages;
    expect(lobby.filter((m: { id: number }) => m.id === first.id)).to.have.length(1);
  });

  it('settles a resend racing its original: same batch, next batch, another connection', async () => {
    const a = await t.connectAs(alice);
    const a2 = await t.connectAs(alice);
    const listener = await t.connectAs(bob);
    const heard = record(listener, 'message');
    // Emitted in the same turn: both land in one group-commit batch.
    const same = await Promise.all([
      ask(a, 'message', { text: 'race one', client_id: 'race-1' }),
      ask(a, 'message', { text: 'race one', client_id: 'race-1' }),
      ask(a2, 'message', { text: 'race one', client_id: 'race-1' }),
    ]);
    expect(same.map((ack) => ack.ok)).to.deep.equal([true, true, true]);
    expect(new Set(same.map((ack) => ack.id)).size).to.equal(1);
    // One after the other, from two connections of the same user: the second is in a later batch.
    const first = ask(a, 'message', { text: 'race two', client_id: 'race-2' });
    await new Promise((resolve) => setImmediate(resolve));
    const second = ask(a2, 'message', { text: 'race two', client_id: 'race-2' });
    const [x, y] = await Promise.all([first, second]);
    expect(y.id).to.equal(x.id);
    await settle();
    expect(heard.map((m) => m.text)).to.deep.equal(['race one', 'race two']);
    expect(await rowsWith('race one')).to.have.length(1);
    expect(await rowsWith('race two')).to.have.length(1);
  });

  it('keeps ids of other users and messages without client_id apart, in one batch too', async () => {
    const a = await t.connectAs(alice);
    const b = await t.connectAs(bob);
    const acks = await Promise.all([
      ask(a, 'message', { text: 'shared id a', client_id: 'shared' }),
      ask(b, 'message', { text: 'shared id b', client_id: 'shared' }),
      ask(a, 'message', { text: 'no id' }),
      ask(a, 'message', { text: 'no id' }),
      ask(a, 'message', 'bare string'),
    ]);
    expect(acks.every((ack) => ack.ok)).to.equal(true);
    expect(new Set(acks.map((ack) => ack.id)).size).to.equal(5);
    // One connection's messages keep their order, skipped rows or not.
    const ids = [acks[0], acks[2], acks[3], acks[4]].map((ack) => ack.id);
    expect(
      [...ids].sort((p, q) => p - q),
      'ids in the order the messages came',
    ).to.deep.equal(ids);
    expect(await rowsWith('no id')).to.have.length(2);
    expect((await rowsWith('shared id b'))[0]).to.include({ client_id: 'shared', user_id: bob.id });
  });

  it("stores a connection's messages in the order they came when a later one's checks finish first", async () => {
    // A direct message by username with a mention asks the database more (the recipient, who is
    // named, who blocks whom) than a plain lobby message: checked at once, the plain ones are
    // answered first, and must still wait for it to be queued.
    const a = await t.connectAs(alice);
    const acks = await Promise.all([
      ask(a, 'message', { to: bob.username, text: `slow check @${bob.username}` }),
      ask(a, 'message', { text: 'quick check 1' }),
      ask(a, 'message', { text: 'quick check 2' }),
    ]);
    expectStoredInOrder(acks);
  });

  it('accepts 64 visible ASCII characters, a UUID, and punctuation', async () => {
    const a = await t.connectAs(alice);
    for (const clientId of ['x'.repeat(64), crypto.randomUUID(), '!#$%&\'()*+,-./:;<=>?@[]^_`{|}~\\"', '1']) {
      const ack = await ask(a, 'message', { text: `ok ${clientId.slice(0, 8)}`, client_id: clientId });
      expect(ack.ok, clientId).to.equal(true);
      await settle(210);
    }
  });

  it('refuses a hostile client_id with invalid_field and stores nothing', async () => {
    const hostile: unknown[] = [
      '',
      'x'.repeat(65),
      'with space',
      ' leading',
      'tab\there',
      'new\nline',
      'nul\u0000',
      '\u007f',
      'é',
      '💥',
      '\ud800',
      '\u202eevil',
      "' OR '1'='1",
      12,
      0,
      -1,
      1e308,
      true,
      null,
      [],
      ['a'],
      {},
      { $gt: '' },
    ];
    let socket: ClientSocket = await t.connectAs(alice);
    const before = Number((await t.db('messages').count({ n: '*' }))[0]!.n);
    for (const clientId of hostile) {
      let ack = await ask(socket, 'message', { text: 'hostile id', client_id: clientId });
      if (ack.code === 'rate_limited') {
        socket.disconnect();
        socket = await t.connectAs(alice);
        ack = await ask(socket, 'message', { text: 'hostile id', client_id: clientId });
      }
      const what = JSON.stringify(clientId) ?? String(clientId);
      // Text a client_id cannot hold (a lone surrogate) is refused by the text guard: same code.
      expect(ack, what).to.include({ ok: false, code: 'invalid_field', field: 'client_id' });
      expect(ack.error, what)
        .to.be.a('string')
        .and.match(/client_id|valid Unicode/);
    }
    expect(Number((await t.db('messages').count({ n: '*' }))[0]!.n)).to.equal(before);
  });
});
