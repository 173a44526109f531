import type { Knex } from 'knex';

/**
 * Full-text search over messages, with each database's own index, kept in step by the database
 * itself so no code path (insert, edit, delete, an account's anonymisation) can forget it:
 * - SQLite: an FTS5 table over `messages.text` (external content, so the text is not stored
 *   twice) and triggers on insert, update of the text, and delete.
 * - PostgreSQL: a generated tsvector column with a GIN index. The 'simple' configuration (lower
 *   case, no stemming, no stop words) matches words as FTS5's default tokenizer does, so a
 *   search finds the same messages on both.
 */
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw(
      `ALTER TABLE messages ADD COLUMN search tsvector
         GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED`,
    );
    await knex.raw('CREATE INDEX messages_search_index ON messages USING GIN (search)');
    return;
  }
  await knex.raw(
    `CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id')`,
  );
  await knex.raw(`CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END`);
  await knex.raw(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END`);
  await knex.raw(`CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
      INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
      INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END`);
  // Messages stored before this migration.
  await knex.raw(`INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')`);
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP INDEX IF EXISTS messages_search_index');
    await knex.raw('ALTER TABLE messages DROP COLUMN IF EXISTS search');
    return;
  }
  for (const trigger of ['messages_fts_insert', 'messages_fts_delete', 'messages_fts_update']) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${trigger}`);
  }
  await knex.raw('DROP TABLE IF EXISTS messages_fts');
}
