import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MessageWriter } from '../../../server/realtime/message-writer.js';
import { migrateToLatest, openDatabase, type Db } from '../../../server/store/db.js';

describe('MessageWriter', () => {
  let dir: string;
  let db: Db;
  let userId: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-writer-'));
    db = openDatabase(join(dir, 'writer.sqlite'));
    await migrateToLatest(db);
    const [row] = await db('users')
      .insert({ username: 'writer', email: 'writer@example.test', password_hash: 'x', created_at: 1 })
      .returning('id');
    userId = Number((row as { id: number }).id);
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends the next batch's statement before answering the batch before it, and keeps the order", async () => {
    let inserts = 0;
    const counting = (q: { sql: string }) => {
      if (q.sql.startsWith('insert into messages')) inserts++;
    };
    db.on('query', counting);
    try {
      const writer = new MessageWriter(db);
      // Queued in one turn: more than one batch (MAX_BATCH is 150), so a second statement follows.
      const writes = Array.from({ length: 151 }, (_, i) =>
        writer.write({ room: 'lobby', user_id: userId, text: `m${i}`, created_at: 1 }),
      );
      // Answering the first batch starts its broadcasts: by then the second is at the database,
      // so the two overlap instead of waiting for each other.
      const sentWhenAnswered = await writes[0]!.then(() => inserts);
      expect(sentWhenAnswered).to.equal(2);
      const stored = await Promise.all(writes);
      const ids = stored.map((s) => s.id);
      expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).to.equal(151);
      await writer.idle();
      const texts = (await db('messages').orderBy('id').select('text')).map((r: { text: string }) => r.text);
      expect(texts).to.deep.equal(Array.from({ length: 151 }, (_, i) => `m${i}`));
    } finally {
      db.off('query', counting);
    }
  });

  it('stores the neighbours of a row the database refuses, in order, and refuses only that row', async () => {
    const writer = new MessageWriter(db);
    const before = (await db('messages').max('id as id').first()) as { id: number | null };
    const writes = [userId, 999_999, userId].map((user_id, i) =>
      writer.write({ room: 'lobby', user_id, text: `n${i}`, created_at: 1 }),
    );
    const settled = await Promise.allSettled(writes);
    expect(settled.map((s) => s.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    await writer.idle();
    const texts = (
      await db('messages')
        .where('id', '>', before.id ?? 0)
        .orderBy('id')
        .select('text')
    ).map((r: { text: string }) => r.text);
    expect(texts).to.deep.equal(['n0', 'n2']);
  });

  it('stores every text, room, time and client_id exactly as given, and answers resends in the batch', async () => {
    const writer = new MessageWriter(db);
    const texts = [
      `quotes " ' and a backslash \\ and "], [1, 2]`,
      '[1, 2, 3]',
      '123',
      '{"room": "elsewhere"}',
      "'); delete from messages; --",
      'tab\tnew\nline\r\u0001\u001f\u007f',
      'emoji \u{1F600} \u{1F469}\u200D\u{1F4BB}, Arabic \u0627\u0644\u0633\u0644\u0627\u0645, e\u0301',
      '\u2028\u2029 line separators, \uFEFF a byte order mark',
      'x'.repeat(4000),
    ];
    const at = Date.now();
    const rows = texts.map((text, i) => ({
      room: i % 2 ? 'room "b"' : 'lobby',
      user_id: userId,
      text,
      created_at: at + i,
      client_id: i === 3 ? null : `c"${i}'\\`,
    }));
    // In one batch: two resends of the first message's client_id, one of them beside it.
    const first = await Promise.all([
      ...rows.map((row) => writer.write(row)),
      writer.write({ ...rows[0]!, text: 'a resend in the same batch' }),
    ]);
    const again = await writer.write({ ...rows[0]!, text: 'a resend later' });
    expect(first.at(-1)).to.deep.equal({ id: first[0]!.id, duplicate: true });
    expect(again).to.deep.equal({ id: first[0]!.id, duplicate: true });
    expect(first.slice(0, -1).every((s) => !s.duplicate)).to.equal(true);

    const stored = await db('messages')
      .whereIn(
        'id',
        first.slice(0, -1).map((s) => s.id),
      )
      .orderBy('id')
      .select(
        'room',
        'user_id',
        'text',
        'created_at',
        'client_id',
        db.raw('typeof(user_id) as user_type'),
        db.raw('typeof(created_at) as at_type'),
        db.raw('typeof(text) as text_type'),
      );
    expect(stored).to.deep.equal(
      rows.map((row) => ({ ...row, user_type: 'integer', at_type: 'integer', text_type: 'text' })),
    );
  });
});
