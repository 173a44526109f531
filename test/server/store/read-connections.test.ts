import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  migrateToLatest,
  openDatabase,
  openLongReader,
  readerOf,
  targetOf,
  type Db,
} from '../../../server/store/db.js';

/**
 * The store rule for reads (server/store/db.ts): on a SQLite file a plain select on the
 * database handle runs on a reader connection, so it never waits behind the single writer;
 * writes, raw SQL, locking selects and everything inside a transaction stay on the writer, and a
 * read after a committed write sees it.
 */
async function expectRejection(work: Promise<unknown>, message: RegExp): Promise<void> {
  const err = await work.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err, 'it failed').to.be.instanceOf(Error);
  expect(err!.message).to.match(message);
}

describe('plain reads on the reader connections (store)', () => {
  let dir: string;
  let db: Db;
  let n = 0;

  const addUser = (on: Db) => {
    n++;
    return on('users').insert({
      username: `reader${n}`,
      email: `reader${n}@example.test`,
      password_hash: 'x',
      created_at: 1,
    });
  };

  /** Which handle each statement of `work` ran on: 'writer' or 'reader'. */
  async function where(work: () => Promise<unknown>): Promise<[string, string][]> {
    const seen: [string, string][] = [];
    const onWriter = (q: { sql: string }) => seen.push(['writer', q.sql]);
    const onReader = (q: { sql: string }) => seen.push(['reader', q.sql]);
    db.on('query', onWriter);
    readerOf(db).on('query', onReader);
    try {
      await work();
    } finally {
      db.off('query', onWriter);
      readerOf(db).off('query', onReader);
    }
    return seen;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-read-connections-'));
    db = openDatabase(join(dir, 'reads.sqlite'));
    await migrateToLatest(db);
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs select, first, pluck and count on a reader, writes on the writer', async () => {
    const seen = await where(async () => {
      await addUser(db);
      await db('users').select('id');
      await db('users').first();
      await db('users').pluck('id');
      await db('users').count({ n: '*' });
      await db('users').where({ username: 'nobody' }).update({ created_at: 2 });
      await db('users').where({ username: 'nobody' }).del();
    });
    expect(seen.map(([on, sql]) => `${on}: ${sql.split(' ')[0]}`)).to.deep.equal([
      'writer: insert',
      'reader: select',
      'reader: select',
      'reader: select',
      'reader: select',
      'writer: update',
      'writer: delete',
    ]);
  });

  it('keeps raw SQL and a locking select on the writer', async () => {
    const seen = await where(async () => {
      await db.raw('select 1');
      await db('users').forUpdate().select('id');
    });
    expect(seen.map(([on]) => on)).to.deep.equal(['writer', 'writer']);
  });

  it('sees a write committed just before, by the same caller', async () => {
    for (let i = 0; i < 20; i++) {
      await addUser(db);
      const row = await db('users')
        .where({ username: `reader${n}` })
        .first();
      expect(row?.username).to.equal(`reader${n}`);
    }
  });

  it('reads inside a transaction on the transaction, seeing its own uncommitted writes', async () => {
    const seen = await where(() =>
      db.transaction(async (trx) => {
        await addUser(trx);
        const mine = await trx('users')
          .where({ username: `reader${n}` })
          .first();
        expect(mine?.username).to.equal(`reader${n}`);
        // Not committed yet: a plain read elsewhere does not see it.
        expect(
          await db('users')
            .where({ username: `reader${n}` })
            .first(),
        ).to.equal(undefined);
      }),
    );
    // BEGIN, the insert, the transaction's own select and COMMIT; only the plain read elsewhere.
    expect(seen.map(([on]) => on)).to.deep.equal(['writer', 'writer', 'writer', 'reader', 'writer']);
    expect(
      await db('users')
        .where({ username: `reader${n}` })
        .first(),
    ).to.not.equal(undefined);
  });

  it('answers a plain read while the writer is held by a transaction', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const inside = new Promise<void>((resolve) => (started = resolve));
    const transaction = db.transaction(async (trx) => {
      await addUser(trx);
      started();
      await held;
    });
    await inside;
    try {
      const read = db('users').count({ n: '*' }).first();
      const late = new Promise((resolve) => setTimeout(() => resolve('waited for the writer'), 2000));
      const answer = await Promise.race([read, late]);
      expect(answer).to.have.property('n');
    } finally {
      release();
      await transaction;
    }
  });

  it('opens long reads a read-only connection of their own, which sees commits', async () => {
    const long = openLongReader(targetOf(db)!);
    try {
      await addUser(db);
      expect(
        await long('users')
          .where({ username: `reader${n}` })
          .first(),
      ).to.include({ username: `reader${n}` });
      await expectRejection(
        long('users').insert({ username: 'nope', email: 'nope@x.test', password_hash: 'x', created_at: 1 }),
        /readonly|query_only|attempt to write/i,
      );
    } finally {
      await long.destroy();
    }
    expect(await db('users').where({ username: 'nope' }).first()).to.equal(undefined);
  });
});
