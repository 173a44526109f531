import type { Knex } from 'knex';

/**
 * Sign-in with an identity provider (OpenID Connect, GitHub).
 *
 * `identities`: a provider's account (issuer + subject, never the email) linked to one user.
 * `oidc_flows`: one sign-in or link in progress, kept server-side so the browser holds nothing
 * but the state in the URL and a random binding cookie. Only hashes of the state, the binding
 * and the ticket are kept; the PKCE verifier and the nonce are random per flow and die with it
 * (10 minutes). After the provider answers, the row carries the outcome, fetched once by the
 * page with the ticket. `users.password_unset`: an account made through a provider has no
 * password anyone knows until a reset sets one, so its last identity cannot be removed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('identities', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('provider', 32).notNullable();
    t.string('issuer', 500).notNullable();
    t.string('subject', 255).notNullable();
    t.string('email', 254).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_used_at').nullable();
    t.unique(['issuer', 'subject']);
    t.index(['user_id']);
  });
  await knex.schema.createTable('oidc_flows', (t) => {
    t.string('state_hash', 64).primary();
    t.string('provider', 32).notNullable();
    t.string('binding_hash', 64).notNullable();
    t.string('code_verifier', 128).notNullable();
    t.string('nonce', 128).notNullable();
    /** `signin`, or `link` for a signed-in user adding an identity. */
    t.string('purpose', 8).notNullable();
    t.integer('user_id').nullable().references('users.id').onDelete('CASCADE');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('state_used_at').nullable();
    t.string('ticket_hash', 64).nullable().unique();
    t.string('outcome', 24).nullable();
    t.integer('outcome_user_id').nullable().references('users.id').onDelete('CASCADE');
    t.string('issuer', 500).nullable();
    t.string('subject', 255).nullable();
    t.string('email', 254).nullable();
    t.bigInteger('ticket_used_at').nullable();
    t.index(['expires_at']);
  });
  await knex.schema.alterTable('users', (t) => {
    t.boolean('password_unset').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('password_unset');
  });
  await knex.schema.dropTableIfExists('oidc_flows');
  await knex.schema.dropTableIfExists('identities');
}
