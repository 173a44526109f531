import type { Knex } from 'knex';

/**
 * Proof-of-work solutions already used, until their challenge expires: kept in the database when
 * there is no Redis, so a restart or a second process sharing CHALLENGE_SECRET (and this
 * database) cannot accept one of them again. `signature` is the challenge's HMAC, in hex.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('used_challenges', (t) => {
    t.string('signature', 64).primary();
    t.bigInteger('expires_at').notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('used_challenges');
}
