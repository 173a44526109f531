import type { Knex } from 'knex';

/**
 * SSH keys a person logs in with, the one-use challenges they sign, and the account's choice of
 * whether an SSH-key login stands in for both factors (off by default: docs/security.md).
 *
 * `fingerprint` (SHA256, as `ssh-keygen -lf` prints it) is unique across all accounts: a key
 * belongs to one account only, so the key a login presents names one account. `public_key` holds
 * the key's blob in base64 (the middle field of a .pub line), never a private part. A challenge
 * row names its user (null for a name without an account, which gets a challenge all the same so
 * the answer does not tell the two apart); `used_at` makes it single use.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ssh_keys', (t) => {
    t.string('id', 40).primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('name', 64).notNullable();
    t.string('key_type', 40).notNullable();
    t.text('public_key').notNullable();
    t.string('fingerprint', 64).notNullable().unique();
    t.integer('bits').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_used_at').nullable();
    t.index(['user_id', 'created_at']);
  });
  await knex.schema.createTable('ssh_login_challenges', (t) => {
    t.string('id', 40).primary();
    t.integer('user_id').nullable().references('users.id').onDelete('CASCADE');
    /** The name as asked for, lower-cased: unknown names lock like accounts do. */
    t.string('name_key', 320).notNullable();
    t.string('nonce', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('used_at').nullable();
    t.index(['expires_at']);
    t.index(['name_key', 'created_at']);
  });
  await knex.schema.alterTable('users', (t) => {
    t.bigInteger('ssh_key_both_factors_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('ssh_key_both_factors_at');
  });
  await knex.schema.dropTableIfExists('ssh_login_challenges');
  await knex.schema.dropTableIfExists('ssh_keys');
}
