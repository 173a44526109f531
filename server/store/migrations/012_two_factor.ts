import type { Knex } from 'knex';

/**
 * Two-factor sign-in (TOTP): when it was turned on, on the user's row so every read of the account
 * (a session check, GET /api/me) knows it without another query; the secret sealed with the
 * server key, and the last time step a code was accepted for, which refuses a code used twice;
 * backup codes as keyed hashes; and the pending logins between the password and the code, whose
 * tokens are kept as hashes too.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.bigInteger('two_factor_enabled_at').nullable();
  });

  await knex.schema.createTable('totp_secrets', (t) => {
    t.integer('user_id').primary().references('users.id').onDelete('CASCADE');
    t.string('secret_sealed', 200).notNullable();
    t.bigInteger('last_used_step').nullable();
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('backup_codes', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('code_hash', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('used_at').nullable();
    t.unique(['user_id', 'code_hash']);
  });

  await knex.schema.createTable('mfa_logins', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('finished_at').nullable();
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['mfa_logins', 'backup_codes', 'totp_secrets']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('two_factor_enabled_at');
  });
}
