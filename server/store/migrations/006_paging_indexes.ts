import type { Knex } from 'knex';

/*
 * Indexes that match how the hot pages are read, so a page costs the same for a user with ten
 * rows as for one with a million:
 * - a user's activity is paged by event id, newest first (the (user_id, at) index left every
 *   page sorting all of the user's events);
 * - a user's messages are read by id for the export, in pages (on PostgreSQL an index on user_id
 *   alone cannot give them in id order; SQLite's carries the row id anyway);
 * - a user's live sessions are listed most recently used first, in pages;
 * - the retention job finds what has aged out (audit events by time, sessions by their end) a
 *   small batch at a time, each batch a range of an index rather than a scan of the table.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_events', (t) => {
    t.index(['user_id', 'id'], 'audit_events_user_id_id_index');
    t.index(['at'], 'audit_events_at_index');
  });
  await knex.schema.alterTable('messages', (t) => {
    t.index(['user_id', 'id'], 'messages_user_id_id_index');
    t.dropIndex(['user_id'], 'messages_user_id_index');
  });
  await knex.schema.alterTable('sessions', (t) => {
    t.index(['user_id', 'last_seen_at', 'created_at', 'id'], 'sessions_user_id_last_seen_at_index');
    t.dropIndex(['user_id'], 'sessions_user_id_index');
    t.index(['expires_at'], 'sessions_expires_at_index');
    t.index(['revoked_at'], 'sessions_revoked_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropIndex(['revoked_at'], 'sessions_revoked_at_index');
    t.dropIndex(['expires_at'], 'sessions_expires_at_index');
    t.index(['user_id'], 'sessions_user_id_index');
    t.dropIndex(['user_id', 'last_seen_at', 'created_at', 'id'], 'sessions_user_id_last_seen_at_index');
  });
  await knex.schema.alterTable('messages', (t) => {
    t.index(['user_id'], 'messages_user_id_index');
    t.dropIndex(['user_id', 'id'], 'messages_user_id_id_index');
  });
  await knex.schema.alterTable('audit_events', (t) => {
    t.dropIndex(['at'], 'audit_events_at_index');
    t.dropIndex(['user_id', 'id'], 'audit_events_user_id_id_index');
  });
}
