import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { block, blockersOf, unblock } from '../../../server/store/blocks.js';
import { migrateToLatest, openDatabase, readerOf, type Db } from '../../../server/store/db.js';

/**
 * blockersOf gathers the lookups of one turn of the event loop into one query: each caller must
 * still get exactly its own author's blockers, see every block committed before it asked, and
 * get an answer when there are more authors than one statement may bind.
 */
describe('blockersOf (store)', () => {
  let dir: string;
  let db: Db;
  const ids: number[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-blockers-'));
    db = openDatabase(join(dir, 'blockers.sqlite'));
    await migrateToLatest(db);
    for (let i = 1; i <= 5; i++) {
      const [row] = await db('users')
        .insert({ username: `user${i}`, email: `user${i}@example.test`, password_hash: 'x', created_at: 1 })
        .returning('id');
      ids.push(Number(typeof row === 'object' ? row.id : row));
    }
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each author with its own blockers when asked in the same turn', async () => {
    const [a, b, c, d, e] = ids as [number, number, number, number, number];
    await block(db, b, a, 1);
    await block(db, c, a, 1);
    await block(db, d, e, 1);
    const queries: string[] = [];
    const onQuery = (q: { sql: string }) => queries.push(q.sql);
    // Plain selects run on the reader connections (readerOf), writes on the database.
    const handles = [db, readerOf(db)];
    for (const h of handles) h.on('query', onQuery);
    const [ofA, ofE, ofB, ofAAgain] = await Promise.all([
      blockersOf(db, a),
      blockersOf(db, e),
      blockersOf(db, b),
      blockersOf(db, a),
    ]);
    for (const h of handles) h.off('query', onQuery);
    expect([...ofA!].sort((x, y) => x - y)).to.deep.equal([b, c].sort((x, y) => x - y));
    expect(ofAAgain).to.have.members([b, c]);
    expect(ofE).to.deep.equal([d]);
    expect(ofB).to.deep.equal([]);
    expect(queries.filter((q) => q.includes('user_blocks'))).to.have.length(1);
  });

  it('sees a block or unblock committed before the lookup is asked for', async () => {
    const [a, , , , e] = ids as [number, number, number, number, number];
    await block(db, e, a, 2);
    expect(await blockersOf(db, a)).to.include(e);
    await unblock(db, e, a);
    expect(await blockersOf(db, a)).not.to.include(e);
  });

  it('answers lookups of more authors than one statement binds, unknown ones with nobody', async () => {
    const [a] = ids as [number];
    const authors = Array.from({ length: 1200 }, (_, i) => (i === 1100 ? a : 1_000_000 + i));
    const answers = await Promise.all(authors.map((id) => blockersOf(db, id)));
    expect(answers[1100]!.length).to.be.greaterThan(0);
    expect(answers.filter((x, i) => i !== 1100 && x.length > 0)).to.have.length(0);
  });

  it('rejects every waiting lookup when the database fails, and answers again after', async () => {
    const broken = openDatabase(join(dir, 'no-tables.sqlite'));
    try {
      const results = await Promise.allSettled([blockersOf(broken, 1), blockersOf(broken, 2)]);
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    } finally {
      await broken.destroy();
    }
    expect(await blockersOf(db, ids[1]!)).to.deep.equal([]);
  });
});
