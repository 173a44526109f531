import type { Knex } from 'knex';

/**
 * Passkeys (WebAuthn credentials) a person signs in with in the page, and the one-use challenges
 * their authenticators sign.
 *
 * `credential_id` (base64url, as the browser names the credential) is unique across all accounts:
 * the credential a sign-in presents names one account. `public_key` is the COSE public key in
 * base64url, never anything secret. `counter`, `device_type` and `backed_up` are what the
 * authenticator last said: a counter that goes backwards betrays a cloned authenticator.
 * `users.webauthn_user_id` is the random handle the authenticator stores with the passkey (never
 * the username or the numeric id), so a discoverable passkey names its account without telling
 * the authenticator who the person is.
 *
 * A challenge row is for one purpose (`register`: of `user_id`; `login`: of nobody yet), keyed by
 * `owner_key` (`#<user id>` or the requesting address) so asking again and again cannot pile up
 * rows; `used_at` makes it single use.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('passkeys', (t) => {
    t.string('id', 40).primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('name', 64).notNullable();
    t.string('credential_id', 1400).notNullable().unique();
    t.text('public_key').notNullable();
    t.bigInteger('counter').notNullable();
    t.string('transports', 200).notNullable();
    t.string('device_type', 20).notNullable();
    t.boolean('backed_up').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_used_at').nullable();
    t.index(['user_id', 'created_at']);
  });
  await knex.schema.createTable('passkey_challenges', (t) => {
    t.string('id', 40).primary();
    t.string('purpose', 10).notNullable();
    t.integer('user_id').nullable().references('users.id').onDelete('CASCADE');
    t.string('owner_key', 80).notNullable();
    t.string('challenge', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('used_at').nullable();
    t.index(['expires_at']);
    t.index(['owner_key', 'created_at']);
  });
  await knex.schema.alterTable('users', (t) => {
    t.string('webauthn_user_id', 64).nullable().unique();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropUnique(['webauthn_user_id']);
    t.dropColumn('webauthn_user_id');
  });
  await knex.schema.dropTableIfExists('passkey_challenges');
  await knex.schema.dropTableIfExists('passkeys');
}
