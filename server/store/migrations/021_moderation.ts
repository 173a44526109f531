import type { Knex } from 'knex';

/**
 * Moderation that outlives a process: mutes and bans per room and user (`room_sanctions`, one
 * row per kind, `until` null for a ban with no end), read on every message and join through the
 * primary key; and private rooms (`private_rooms`, with their owner) and who is in them
 * (`private_room_members`, the owner too). Kept in the database rather than in a process or in
 * Redis, so a restart forgets nothing and every server process sees the same answer.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('room_sanctions', (t) => {
    t.string('room', 64).notNullable();
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('kind', 8).notNullable();
    t.bigInteger('until').nullable();
    t.integer('actor_id').nullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['room', 'user_id', 'kind']);
    t.index(['user_id']);
  });
  await knex.schema.createTable('private_rooms', (t) => {
    t.string('room', 64).primary();
    t.integer('owner_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('private_room_members', (t) => {
    t.string('room', 64).notNullable().references('room').inTable('private_rooms').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.bigInteger('added_at').notNullable();
    t.primary(['room', 'user_id']);
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('private_room_members');
  await knex.schema.dropTable('private_rooms');
  await knex.schema.dropTable('room_sanctions');
}
