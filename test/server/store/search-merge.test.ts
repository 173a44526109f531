import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { migrateToLatest, openDatabase, type Db } from '../../../server/store/db.js';
import { insertMessages } from '../../../server/store/messages.js';
import { mergeStep, QUIET_MS } from '../../../server/store/search-merge.js';

/**
 * The search index's upkeep (server/store/search-merge.ts): FTS5 no longer merges inside an
 * insert; stored messages are merged between writes, and search finds every one of them.
 */
describe('search index merged between writes (store, SQLite)', () => {
  let dir: string;
  let db: Db;
  let bare: Db;
  let author: number;

  const automerge = async (on: Db) =>
    Number(
      ((await on.raw(`SELECT v FROM messages_fts_config WHERE k = 'automerge'`)) as { v: number }[])[0]?.v,
    );
  const found = async (on: Db, word: string) =>
    Number(
      (
        (await on.raw(`SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?`, [word])) as {
          n: number;
        }[]
      )[0]?.n,
    );
  const indexRows = async (on: Db) =>
    Number(((await on.raw('SELECT count(*) AS n FROM messages_fts_data')) as { n: number }[])[0]?.n);

  /** Until the index's rows stop changing: the upkeep has nothing left to do. */
  async function settled(on: Db): Promise<void> {
    let last = -1;
    let same = 0;
    const end = Date.now() + 15_000;
    while (same < 5) {
      if (Date.now() > end) throw new Error('the search index never settled');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const rows = await indexRows(on);
      same = rows === last ? same + 1 : 0;
      last = rows;
    }
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-search-merge-'));
    db = openDatabase(join(dir, 'merged.sqlite'));
    bare = openDatabase(join(dir, 'unmerged.sqlite'));
    await migrateToLatest(db);
    await migrateToLatest(bare);
    const [row] = (await db('users')
      .insert({ username: 'writer', email: 'writer@example.test', password_hash: 'x', created_at: 1 })
      .returning('id')) as { id: number }[];
    author = row!.id;
  });
  after(async () => {
    await db.destroy();
    await bare.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("turns FTS5's automatic merging off, in the index's own configuration", async () => {
    expect(await automerge(db)).to.equal(0);
  });

  it('merges the segments that stored batches leave, after the writes, and search finds them all', async () => {
    // Thirty batches, each a statement and a segment of its own; FTS5's crisis merge (16 at a
    // level) alone would leave more than enough to merge.
    for (let i = 0; i < 30; i++) {
      await insertMessages(db, [
        { room: 'lobby', user_id: author, text: `deploy number ${i}`, created_at: i + 1 },
        { room: 'lobby', user_id: author, text: `rollback number ${i}`, created_at: i + 1 },
      ]);
    }
    await settled(db);
    expect(await mergeStep(db), 'work left for a merge').to.equal(false);
    expect(await found(db, 'deploy')).to.equal(30);
    expect(await found(db, 'numb*')).to.equal(60);
  });

  it('merges nothing while messages keep coming, and all of it once they stop', async () => {
    await settled(db);
    // Batches one every QUIET_MS / 5: never a quiet moment. The index's rows change with a write or
    // a merge step; between two writes only a step can change them. A look counts only when it
    // ended within QUIET_MS of its batch's start: a step may start no sooner, so a machine that
    // stalls (a loaded CI runner) skips a look rather than failing it.
    let stepsBetweenWrites = 0;
    let looks = 0;
    let batches = 0;
    for (let i = 0; i < 40 && looks < 12; i++, batches++) {
      const started = performance.now();
      await insertMessages(db, [
        { room: 'lobby', user_id: author, text: `stream number ${i}`, created_at: i + 1 },
      ]);
      const written = await indexRows(db);
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS / 5));
      const changed = (await indexRows(db)) !== written;
      if (performance.now() - started >= QUIET_MS) continue;
      looks++;
      if (changed) stepsBetweenWrites++;
    }
    expect(looks, 'looks within QUIET_MS of their batch').to.equal(12);
    expect(stepsBetweenWrites, 'merge steps during the stream').to.equal(0);
    await settled(db);
    expect(await mergeStep(db), 'work left once it was quiet').to.equal(false);
    expect(await found(db, 'stream')).to.equal(batches);
  });

  it('leaves the segments of rows written without the store for a step to find (the check above can fail)', async () => {
    for (let i = 0; i < 30; i++) {
      await bare.raw(`INSERT INTO messages (room, user_id, text, created_at) VALUES ('lobby', NULL, ?, ?)`, [
        `deploy number ${i}`,
        i + 1,
      ]);
    }
    expect(await mergeStep(bare), 'work found').to.equal(true);
    expect(await found(bare, 'deploy')).to.equal(30);
  });

  it('stores messages written inside a transaction, whose segments a later step merges', async () => {
    await db.transaction(async (trx) => {
      await insertMessages(trx, [
        { room: 'lobby', user_id: author, text: 'inside a transaction', created_at: 99 },
      ]);
    });
    expect(await found(db, 'transaction')).to.equal(1);
  });
});
