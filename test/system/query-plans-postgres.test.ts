import { expect } from 'chai';
import { migrateToLatest, openDatabase, type Db } from '../../server/store/db.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { HOT_QUERIES, statementsOf } from '../server/store/hot-queries.js';

/**
 * The hot queries' plans on PostgreSQL. On empty tables the planner rightly prefers a sequential
 * scan, so sequential and bitmap scans are switched off for the EXPLAIN: what remains shows
 * whether an index can serve the query in its order at all (no Sort node) - which is what keeps
 * it fast once the tables are large.
 */
describe('system: query plans of the hot queries (PostgreSQL)', () => {
  let pg: TestDatabase;
  let db: Db;

  before(async () => {
    pg = await createTestDatabase();
    db = openDatabase(pg.url);
    await migrateToLatest(db);
  });
  after(async () => {
    await db?.destroy();
    await pg?.drop();
  });

  for (const q of HOT_QUERIES) {
    it(`${q.name}: an index scan, no sequential scan, no sort`, async () => {
      const statements = await statementsOf(db, q.run);
      expect(statements.length).to.be.greaterThan(0);
      for (const { sql, bindings } of statements) {
        const plan = await db.transaction(async (trx) => {
          await trx.raw('SET LOCAL enable_seqscan = off');
          await trx.raw('SET LOCAL enable_bitmapscan = off');
          // Knex reports the native text ($1, $2, ...); raw() takes its own ? placeholders, in order.
          const res = await trx.raw(`EXPLAIN ${sql.replace(/\$\d+/g, '?')}`, bindings as never[]);
          return (res.rows as Record<string, string>[]).map((r) => r['QUERY PLAN']!).join('\n');
        });
        expect(plan, `${sql}\n${plan}`).to.match(
          typeof q.index === 'string'
            ? new RegExp(`Index (Only )?Scan( Backward)? using ${q.index}\\b`)
            : q.index,
        );
        expect(plan, `${sql}\n${plan}`).to.not.match(/Seq Scan|Sort\b/);
      }
    });
  }

  it('every foreign key column leads an index, so deleting an account scans no table', async () => {
    // pg_index.indkey counts from 0, pg_constraint.conkey from 1; every foreign key here is one column.
    const res = await db.raw(`
      SELECT c.conrelid::regclass::text AS tbl, a.attname AS col
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       WHERE c.contype = 'f'
         AND c.connamespace = current_schema()::regnamespace
         AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
       ORDER BY 1, 2`);
    const missing = (res.rows as { tbl: string; col: string }[]).map((r) => `${r.tbl}.${r.col}`);
    expect(missing).to.deep.equal([]);
  });
});
