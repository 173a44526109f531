import type { Knex } from 'knex';

/**
 * Personal access tokens: what a script signs in with. Only the SHA-256 of the token is kept (the
 * token is shown once, when made). Scopes are one space-separated string, as OAuth writes them,
 * so the row is read whole with the token. `last_used_at` and `last_used_ip` are written at most
 * once a minute per token. Rows go with their user.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('access_tokens', (t) => {
    t.string('id', 40).primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('name', 64).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('scopes', 200).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').nullable();
    t.bigInteger('last_used_at').nullable();
    t.string('last_used_ip', 64).nullable();
    t.bigInteger('revoked_at').nullable();
    t.index(['user_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('access_tokens');
}
