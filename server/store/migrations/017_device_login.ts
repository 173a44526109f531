import type { Knex } from 'knex';

/**
 * Device login (RFC 8628): a terminal's pending sign-in, approved or denied by a signed-in person
 * in a browser. The device code (the terminal's secret) is kept as SHA-256; the user code (eight
 * letters, typed by a person, so few enough to be guessed offline) as HMAC-SHA-256 under
 * SECRET_KEY, so a copy of the database alone gives neither away. `user_id` is set by the
 * approval or denial; `consumed_at` when the session went out, which happens once. Rows go with
 * the user who decided; undecided ones are pruned after they expire.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('device_codes', (t) => {
    t.increments('id').primary();
    t.string('device_code_hash', 64).notNullable().unique();
    t.string('user_code_hash', 64).notNullable().unique();
    t.string('client_name', 64).notNullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 512).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable().index();
    t.integer('interval_s').notNullable();
    t.bigInteger('last_polled_at').nullable();
    t.integer('user_id').nullable().references('users.id').onDelete('CASCADE');
    t.bigInteger('approved_at').nullable();
    t.bigInteger('denied_at').nullable();
    t.bigInteger('consumed_at').nullable();
    // Deleting an account deletes the codes its owner decided.
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('device_codes');
}
