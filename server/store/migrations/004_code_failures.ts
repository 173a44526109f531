import type { Knex } from 'knex';

/**
 * Wrong mailed codes per account per day (UTC days since the epoch), across every code it was
 * sent: a new code restarts the five tries of one code, so only a count that outlives codes
 * caps how many guesses an account gets (LIMIT_WRONG_CODES_PER_DAY).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('code_failures', (t) => {
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.integer('day').notNullable();
    t.integer('failures').notNullable().defaultTo(0);
    t.primary(['user_id', 'day']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('code_failures');
}
