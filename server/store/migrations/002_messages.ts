import type { Knex } from 'knex';

/**
 * Chat messages. Rooms are just names, so they have no table. `user_id` becomes NULL when the
 * author's account is deleted: the conversation keeps its shape, the author is anonymised.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('messages', (t) => {
    t.increments('id');
    t.string('room', 32).notNullable();
    t.integer('user_id').nullable().references('users.id').onDelete('SET NULL');
    t.text('text').notNullable();
    t.bigInteger('created_at').notNullable();
    // History pages walk one room by id, newest first.
    t.index(['room', 'id']);
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('messages');
}
