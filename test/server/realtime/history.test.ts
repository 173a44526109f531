import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startTestServer } from '../../helpers/server.js';
import {
  ask,
  chatPerson,
  connectAs,
  disconnectAll,
  settle,
  type ChatPerson,
  type ClientSocket,
} from '../../helpers/sockets.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';

/** Sends texts one by one, pausing so the per-socket budget is never what is tested here. */
async function sendAll(socket: ClientSocket, room: string, texts: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, text] of texts.entries()) {
    const ack = await ask(socket, 'message', { room, text });
    expect(ack.ok, JSON.stringify(ack)).to.equal(true);
    ids.push(ack.id);
    if (i % 10 === 9) await settle(1100);
  }
  return ids;
}

describe('Socket.IO chat: history', () => {
  let alice: ChatPerson;
  let ids: number[];
  const t = useServer({ env: MANY_SIGNUPS });

  before(async () => {
    alice = await t.chatPerson('hist');
    const socket = await t.connectAs(alice);
    await ask(socket, 'join', { room: 'archive' });
    ids = await sendAll(
      socket,
      'archive',
      Array.from({ length: 12 }, (_, i) => `m${i + 1}`),
    );
    await ask(socket, 'message', { room: 'lobby', text: 'not in archive' });
  });

  const texts = (ack: any) => ack.messages.map((m: any) => m.text);

  it('returns a room oldest first, in the shape of live messages', async () => {
    const socket = await t.connectAs(alice);
    const ack = await ask(socket, 'history', { room: 'archive' });
    expect(ack.ok).to.equal(true);
    expect(texts(ack)).to.deep.equal(Array.from({ length: 12 }, (_, i) => `m${i + 1}`));
    expect(ack.messages[0]).to.deep.equal({
      id: ids[0],
      room: 'archive',
      user: { id: alice.id, username: alice.username },
      text: 'm1',
      ts: ack.messages[0].ts,
      mentions: [],
      edited_at: null,
    });
    expect(ack.messages.map((m: any) => m.id)).to.deep.equal(ids);
  });

  it('returns the newest `limit` messages, and the page before a cursor', async () => {
    const socket = await t.connectAs(alice);
    const last = await ask(socket, 'history', { room: 'archive', limit: 5 });
    expect(texts(last)).to.deep.equal(['m8', 'm9', 'm10', 'm11', 'm12']);
    const before = await ask(socket, 'history', { room: 'archive', limit: 5, before: last.messages[0].id });
    expect(texts(before)).to.deep.equal(['m3', 'm4', 'm5', 'm6', 'm7']);
    const first = await ask(socket, 'history', { room: 'archive', limit: 5, before: before.messages[0].id });
    expect(texts(first)).to.deep.equal(['m1', 'm2']);
    const none = await ask(socket, 'history', { room: 'archive', before: first.messages[0].id });
    expect(none).to.deep.equal({ ok: true, room: 'archive', messages: [] });
  });

  it('returns the messages after a cursor, oldest first, up to limit: how a client catches up', async () => {
    const socket = await t.connectAs(alice);
    const page1 = await ask(socket, 'history', { room: 'archive', after: ids[2], limit: 4 });
    expect(texts(page1)).to.deep.equal(['m4', 'm5', 'm6', 'm7']);
    const page2 = await ask(socket, 'history', {
      room: 'archive',
      after: page1.messages.at(-1).id,
      limit: 4,
    });
    expect(texts(page2)).to.deep.equal(['m8', 'm9', 'm10', 'm11']);
    const page3 = await ask(socket, 'history', {
      room: 'archive',
      after: page2.messages.at(-1).id,
      limit: 4,
    });
    expect(texts(page3)).to.deep.equal(['m12']);
    expect(await ask(socket, 'history', { room: 'archive', after: ids.at(-1) })).to.deep.equal({
      ok: true,
      room: 'archive',
      messages: [],
    });
    // Another room's messages are never in the page, however the ids interleave.
    expect(texts(await ask(socket, 'history', { room: 'archive', after: 1, limit: 200 }))).to.not.include(
      'not in archive',
    );
    // The default limit applies forward too.
    expect((await ask(socket, 'history', { room: 'archive', after: 1 })).messages).to.have.length(11);
  });

  it('refuses before and after together with a clear error', async () => {
    const socket = await t.connectAs(alice);
    const both = await ask(socket, 'history', { room: 'archive', before: ids[5], after: ids[1] });
    expect(both).to.include({ ok: false, code: 'invalid_field', field: 'after' });
    expect(both.error).to.equal('send before (older messages) or after (newer messages), not both');
  });

  it('reads a room the socket is not in, and an empty room as an empty list', async () => {
    const socket = await t.connectAs(alice);
    await ask(socket, 'leave', { room: 'archive' });
    expect(texts(await ask(socket, 'history', { room: 'archive', limit: 1 }))).to.deep.equal(['m12']);
    expect(await ask(socket, 'history', { room: 'silence' })).to.deep.equal({
      ok: true,
      room: 'silence',
      messages: [],
    });
  });

  it('allows a limit of 200', async () => {
    const socket = await t.connectAs(alice);
    expect((await ask(socket, 'history', { room: 'archive', limit: 200 })).messages).to.have.length(12);
  });

  it('shows the messages of a deleted account with no author', async () => {
    const gone = await t.chatPerson('gone');
    const socket = await t.connectAs(gone);
    await ask(socket, 'join', { room: 'ghosts' });
    await ask(socket, 'message', { room: 'ghosts', text: 'soon anonymous' });
    socket.disconnect();
    await t.db('users').where({ id: gone.id }).delete();
    const reader = await t.connectAs(alice);
    const ack = await ask(reader, 'history', { room: 'ghosts' });
    expect(ack.messages).to.have.length(1);
    expect(ack.messages[0]).to.include({ text: 'soon anonymous', user: null });
  });
});

describe('Socket.IO chat: history across a restart', () => {
  it('returns what was said before the server restarted on the same database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mux1-restart-'));
    try {
      const first = await startTestServer({ dir });
      const alice = await chatPerson(first, 'restart');
      const socket = await connectAs(first.url, alice);
      await sendAll(socket, 'lobby', ['before the restart', 'still there?']);
      disconnectAll();
      await first.close();

      const second = await startTestServer({ dir });
      try {
        const again = await connectAs(second.url, alice);
        const ack = await ask(again, 'history', { room: 'lobby' });
        expect(texts2(ack)).to.deep.equal(['before the restart', 'still there?']);
        expect((await ask(again, 'message', 'and after')).ok).to.equal(true);
        expect(texts2(await ask(again, 'history', { room: 'lobby' }))).to.deep.equal([
          'before the restart',
          'still there?',
          'and after',
        ]);
      } finally {
        disconnectAll();
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const texts2 = (ack: any) => ack.messages.map((m: any) => m.text);
});
