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
});
