import type { Knex } from 'knex';

/**
 * An index on every column that refers to an account and had none. Deleting an account makes
 * the database find each row that refers to it, in every table whose foreign key names
 * `users.id` (to cascade or to set null), and on a column with no index that is a scan of the
 * whole table, on SQLite and PostgreSQL alike, once per deleted account; handing a deleted
 * owner's private rooms over (`store/private-rooms.ts`) also looks them up by owner. The
 * sign-in flows and challenges are short-lived and pruned, the private rooms grow with use.
 * The query-plan tests (test/server/store/query-plans.test.ts, and on PostgreSQL
 * test/system/query-plans-postgres.test.ts) hold every later foreign key to this rule.
 */
const MISSING: readonly (readonly [table: string, column: string])[] = [
  ['oidc_flows', 'user_id'],
  ['oidc_flows', 'outcome_user_id'],
  ['ssh_login_challenges', 'user_id'],
  ['passkey_challenges', 'user_id'],
  ['private_rooms', 'owner_id'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [table, column] of MISSING) {
    await knex.schema.alterTable(table, (t) => t.index([column], `${table}_${column}_index`));
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, column] of MISSING) {
    await knex.schema.alterTable(table, (t) => t.dropIndex([column], `${table}_${column}_index`));
  }
}
