import { expect } from 'chai';
import { migrateToLatest, openDatabase, type Db } from '../../server/store/db.js';
import { claimDue, enqueue, release } from '../../server/store/outbox.js';
import { countUsers } from '../../server/store/users.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { exportReaderCases } from '../helpers/export-reader-cases.js';

/**
 * The outbox claim on PostgreSQL, at the level where a race would show: many claimers at once,
 * each on its own pooled connection, over one backlog. Every mail must go to exactly one of them.
 */
describe('system: outbox claims on PostgreSQL (FOR UPDATE SKIP LOCKED)', () => {
  let pg: TestDatabase;
  let db: Db;
  const now = 1_800_000_000_000;

  beforeEach(async () => {
    pg = await createTestDatabase();
    db = openDatabase(pg.url, { poolMax: 12 });
    await migrateToLatest(db);
  });
  afterEach(async () => {
    await db.destroy();
    await pg.drop();
  });

  const queue = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await enqueue(
        db,
        { recipient: `r${i}@example.test`, subject: `s${i}`, text_body: 't', html_body: 'h' },
        now,
      );
    }
  };

  it('hands each due mail to one claimer when twelve claim at once', async () => {
    await queue(120);
    const claims = await Promise.all(Array.from({ length: 12 }, () => claimDue(db, now, 60_000, 15)));
    const ids = claims.flat().map((m) => m.id);
    expect(new Set(ids).size, 'no mail claimed twice').to.equal(ids.length);
    expect(ids.length).to.equal(120);
    for (const batch of claims)
      expect(batch.map((m) => m.id)).to.deep.equal([...batch.map((m) => m.id)].sort((x, y) => x - y));
  });

  it('leaves leased mail alone until the lease runs out, and lifts only its own lease', async () => {
    await queue(3);
    const first = await claimDue(db, now, 60_000, 10);
    expect(first).to.have.length(3);
    expect(await claimDue(db, now + 59_999, 60_000, 10)).to.have.length(0);
    // The lease ran out (its worker died): claimed again, under a new lease.
    const again = await claimDue(db, now + 60_001, 60_000, 10);
    expect(again).to.have.length(3);
    // The first worker's late release must not free the second worker's claim.
    await release(
      db,
      first.map((m) => m.id),
      now + 60_000,
    );
    expect(await claimDue(db, now + 60_002, 60_000, 10)).to.have.length(0);
    await release(
      db,
      again.map((m) => m.id),
      now + 60_001 + 60_000,
    );
    expect(await claimDue(db, now + 60_002, 60_000, 10)).to.have.length(3);
  });
});

describe('system: migrations on PostgreSQL', () => {
  it('lets several processes start on a new database at once: one migrates, the others wait', async () => {
    const pg = await createTestDatabase();
    // Five pools of one connection each: the lock must not need a pooled connection of its own.
    const dbs = Array.from({ length: 5 }, () => openDatabase(pg.url, { poolMax: 1 }));
    try {
      const results = await Promise.allSettled(dbs.map((db) => migrateToLatest(db)));
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).to.deep.equal(
        dbs.map(() => 'ok'),
      );
      expect(await countUsers(dbs[0]!)).to.equal(0);
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
      await pg.drop();
    }
  });
});

describe('system: export pages read in a thread of their own on PostgreSQL', () => {
  exportReaderCases(async () => {
    const pg = await createTestDatabase();
    return { db: openDatabase(pg.url), drop: () => pg.drop() };
  });
});
