import type { Knex } from 'knex';

/**
 * A client's own id for a message, so that a resend after a lost acknowledgement stores nothing
 * new: unique per author, NULL for messages sent without one (NULLs never collide, on SQLite and
 * PostgreSQL alike).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.string('client_id', 64).nullable();
    t.unique(['user_id', 'client_id'], { indexName: 'messages_user_id_client_id_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropUnique(['user_id', 'client_id'], 'messages_user_id_client_id_unique');
    t.dropColumn('client_id');
  });
}
