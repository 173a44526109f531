import type { Knex } from 'knex';

/**
 * What chat keeps beyond the messages themselves: edits (the current text stays in `text`, the
 * first one in `first_text` for moderators), who a message mentions, how far each user has read
 * each room, and who blocks whom. Counts of unread messages and mentions are answered from the
 * indexes below, never by reading a room's history.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.bigInteger('edited_at').nullable();
    t.text('first_text').nullable();
  });

  await knex.schema.createTable('message_mentions', (t) => {
    t.integer('message_id').notNullable().references('messages.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('room', 32).notNullable();
    // A user's mentions in a room past their read marker: a range of this key.
    t.primary(['user_id', 'room', 'message_id']);
    t.index(['message_id']);
  });

  await knex.schema.createTable('read_markers', (t) => {
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('room', 32).notNullable();
    t.integer('last_read_id').notNullable().defaultTo(0);
    t.primary(['user_id', 'room']);
  });

  await knex.schema.createTable('user_blocks', (t) => {
    t.integer('blocker_id').notNullable().references('users.id').onDelete('CASCADE');
    t.integer('blocked_id').notNullable().references('users.id').onDelete('CASCADE');
    t.bigInteger('created_at').notNullable();
    t.primary(['blocker_id', 'blocked_id']);
    // Who blocks this author: asked for each message the author sends to a room.
    t.index(['blocked_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['user_blocks', 'read_markers', 'message_mentions']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('first_text');
    t.dropColumn('edited_at');
  });
}
