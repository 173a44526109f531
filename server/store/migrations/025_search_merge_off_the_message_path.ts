import type { Knex } from 'knex';

/**
 * FTS5's automatic merging off (SQLite): an insert no longer merges the index's segments before
 * it returns, which made some messages wait for a few hundred pages of merging on a large index.
 * The merging is done between writes instead (server/store/search-merge.ts). The setting is kept
 * in the index's own configuration table, so it holds for every connection.
 * PostgreSQL: nothing; its index has no segments to merge.
 */
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') return;
  await knex.raw(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 0)`);
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') return;
  // FTS5's default.
  await knex.raw(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 4)`);
}
