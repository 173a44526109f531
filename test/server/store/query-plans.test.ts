import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { migrateToLatest, openDatabase, type Db } from '../../../server/store/db.js';
import { migrationSource } from '../../../server/store/migrations/index.js';
import { countUsers } from '../../../server/store/users.js';
import { HOT_QUERIES, statementsOf } from './hot-queries.js';

/**
 * The hot queries must be read through their indexes, however large the tables grow: a query
 * that scans a table or sorts a user's rows is fast in every test and slow in production, so
 * only its plan shows it. Checked on an empty file: SQLite plans without statistics, from the
 * schema alone, which is what a new or never-analysed database gets.
 */
/**
 * Every foreign key column that no index leads, as "table.column": deleting the row it refers
 * to (an account, mostly) makes SQLite look for the referring rows, a scan of the table without
 * one. An INTEGER PRIMARY KEY is the table's rowid, its own index.
 */
async function unindexedForeignKeys(db: Db): Promise<string[]> {
  const tables = (await db('sqlite_master').where({ type: 'table' }).pluck('name')) as string[];
  const missing: string[] = [];
  for (const table of tables) {
    const keys = (await db.raw(`PRAGMA foreign_key_list("${table}")`)) as { from: string }[];
    if (keys.length === 0) continue;
    const leading = new Set<string>();
    for (const index of (await db.raw(`PRAGMA index_list("${table}")`)) as { name: string }[]) {
      const columns = (await db.raw(`PRAGMA index_info("${index.name}")`)) as { name: string }[];
      if (columns[0]) leading.add(columns[0].name);
    }
    const info = (await db.raw(`PRAGMA table_info("${table}")`)) as {
      name: string;
      type: string;
      pk: number;
    }[];
    const keyed = info.filter((c) => c.pk > 0);
    if (keyed.length === 1 && /^integer$/i.test(keyed[0]!.type)) leading.add(keyed[0]!.name);
    for (const { from } of keys) if (!leading.has(from)) missing.push(`${table}.${from}`);
  }
  return missing.sort();
}

describe('query plans of the hot queries (SQLite)', () => {
  let dir: string;
  let db: Db;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-plans-'));
    db = openDatabase(join(dir, 'plans.sqlite'));
    await migrateToLatest(db);
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const planOf = async (sql: string, bindings: unknown[]): Promise<string[]> => {
    const rows = (await db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as never[])) as { detail: string }[];
    return rows.map((r) => r.detail);
  };

  for (const q of HOT_QUERIES) {
    it(`${q.name}: reads an index, never scans a table or sorts`, async () => {
      const statements = await statementsOf(db, q.run);
      expect(statements.length, 'the query ran').to.be.greaterThan(0);
      for (const { sql, bindings } of statements) {
        const plan = await planOf(sql, bindings);
        const shown = `${sql}\n  ${plan.join('\n  ')}`;
        expect(plan.join('\n'), shown).to.match(
          typeof q.index === 'string' ? new RegExp(`INDEX ${q.index}\\b`) : q.index,
        );
        // A JSON page reads its page of rows again to join them, in order: that much is bounded.
        const ofPage = (step: string) =>
          q.jsonPage === true && /^(SCAN page|USE TEMP B-TREE FOR group_concat\(ORDER BY\))$/.test(step);
        for (const step of plan.filter((step) => !ofPage(step))) {
          expect(step, shown).to.not.match(/^SCAN (?!CONSTANT ROW)/);
          expect(step, shown).to.not.match(/TEMP B-TREE/);
        }
      }
    });
  }

  it('the user count row follows inserts and deletes after every migration', async () => {
    // A later migration that rebuilds the users table (SQLite's way of altering a column) drops
    // its triggers with it; this notices.
    const triggers = (await db('sqlite_master')
      .where({ type: 'trigger', tbl_name: 'users' })
      .pluck('name')) as string[];
    expect(triggers.sort()).to.deep.equal([
      'users_counted_delete',
      'users_counted_insert',
      'users_stats_delete',
      'users_stats_insert',
      'users_stats_unverified',
      'users_stats_verified',
    ]);
    const before = await countUsers(db);
    await db('users').insert(
      ['a', 'b', 'c'].map((n) => ({
        username: `count${n}`,
        email: `${n}@count.test`,
        password_hash: 'x',
        created_at: 1,
      })),
    );
    expect(await countUsers(db)).to.equal(before + 3);
    await db('users').where('username', 'like', 'count%').whereNot({ username: 'counta' }).delete();
    expect(await countUsers(db)).to.equal(before + 1);
    const { n } = ((await db('users').count({ n: '*' })) as { n: number }[])[0]!;
    expect(await countUsers(db)).to.equal(Number(n));
  });

  it('every foreign key column leads an index, so deleting an account scans no table', async () => {
    expect(await unindexedForeignKeys(db)).to.deep.equal([]);
  });

  it('the foreign key check names the columns that had no index before migration 026', async () => {
    const old = openDatabase(join(dir, 'before-026.sqlite'));
    try {
      const names = await migrationSource.getMigrations([]);
      for (const name of names.slice(0, names.indexOf('026_foreign_key_indexes'))) {
        await old.migrate.up({ migrationSource, name });
      }
      expect(await unindexedForeignKeys(old)).to.deep.equal([
        'oidc_flows.outcome_user_id',
        'oidc_flows.user_id',
        'passkey_challenges.user_id',
        'private_rooms.owner_id',
        'ssh_login_challenges.user_id',
      ]);
    } finally {
      await old.destroy();
    }
  });

  it('the same check fails on the schema before the paging indexes (migrations 001-003)', async () => {
    const old = openDatabase(join(dir, 'old.sqlite'));
    try {
      for (let i = 0; i < 3; i++) await old.migrate.up({ migrationSource });
      const [done] = (await old.migrate.list({ migrationSource })) as [{ name: string }[]];
      expect(done.map((m) => m.name)).to.deep.equal(['001_initial', '002_messages', '003_message_client_id']);
      const activity = await statementsOf(old, HOT_QUERIES[0]!.run);
      const rows = (await old.raw(
        `EXPLAIN QUERY PLAN ${activity[0]!.sql}`,
        activity[0]!.bindings as never[],
      )) as {
        detail: string;
      }[];
      expect(rows.map((r) => r.detail).join('\n')).to.match(/TEMP B-TREE/);
    } finally {
      await old.destroy();
    }
  });
});
