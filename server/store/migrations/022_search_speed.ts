import type { Knex } from 'knex';

/**
 * Search that costs what it answers, not what is stored (SQLite). Every search word is a prefix
 * (`dep` finds `deploy`), and FTS5 answers a prefix that has no index of its own by merging the
 * whole history of every word it starts into one list in memory before it hands out the newest
 * match: `the` on a million messages read most of the index for 50 rows. Now:
 * - prefix indexes of 1, 2 and 3 characters (FTS5's `prefix` option): a word that short is
 *   read from its own index, newest first, as far as the answer needs. They cost space: each
 *   about the size of the word index (docs/operations.md).
 * - `messages_fts_terms` (fts5vocab), the words in the index: a longer word is asked as itself
 *   OR each longer word it starts (server/store/search.ts), which FTS5 also reads newest first.
 * FTS5 cannot change a table's options, so the table is made again and filled from `messages`
 * (its content table) - on a big database the one slow step of this migration. The triggers that
 * keep it in step (migration 009) name it and carry on as before.
 * PostgreSQL: nothing; its GIN index answers prefixes from its sorted words already.
 */
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') return;
  await remake(knex, "prefix='1 2 3'");
  await knex.raw(`CREATE VIRTUAL TABLE messages_fts_terms USING fts5vocab(messages_fts, 'row')`);
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') return;
  await knex.raw('DROP TABLE IF EXISTS messages_fts_terms');
  await remake(knex, '');
}

async function remake(knex: Knex, options: string): Promise<void> {
  await knex.raw('DROP TABLE messages_fts');
  await knex.raw(
    `CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id'${options ? `, ${options}` : ''})`,
  );
  await knex.raw(`INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')`);
}
