import type { Knex } from 'knex';

/**
 * The language the account's mails are written in (`users.locale`): one of the languages mux1
 * speaks (i18n/index.ts LANGUAGES), or null for none chosen, which mails in English. Set by
 * PATCH /api/me, or at signup from the body or the request's Accept-Language. A short string
 * rather than an enum, so a language added later needs no migration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('locale', 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('locale');
  });
}
