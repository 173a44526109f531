import type { Knex } from 'knex';

/*
 * The number of accounts, kept in a row by the database itself so that GET /api/server-status,
 * which anyone may call, reads one row instead of counting every user on every call. Triggers
 * rather than application code: every insert or delete - a signup, an account deleted, a bulk
 * load, a test editing rows - keeps it right, in every process.
 *
 * PostgreSQL counts once per statement from its transition table, so a bulk insert of a million
 * rows updates the counter once, not a million times. SQLite has row triggers only; an update of
 * one row in the same file is cheap there.
 */

const PG_FUNCTION = `
CREATE FUNCTION mux1_count_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE counters SET value = value + (SELECT count(*) FROM changed_rows) WHERE name = 'users';
  ELSE
    UPDATE counters SET value = value - (SELECT count(*) FROM changed_rows) WHERE name = 'users';
  END IF;
  RETURN NULL;
END $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('counters', (t) => {
    t.string('name', 32).primary();
    t.bigInteger('value').notNullable();
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw(PG_FUNCTION);
    await knex.raw(`CREATE TRIGGER users_counted_insert AFTER INSERT ON users
      REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE PROCEDURE mux1_count_users()`);
    await knex.raw(`CREATE TRIGGER users_counted_delete AFTER DELETE ON users
      REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE PROCEDURE mux1_count_users()`);
  } else {
    await knex.raw(`CREATE TRIGGER users_counted_insert AFTER INSERT ON users
      BEGIN UPDATE counters SET value = value + 1 WHERE name = 'users'; END`);
    await knex.raw(`CREATE TRIGGER users_counted_delete AFTER DELETE ON users
      BEGIN UPDATE counters SET value = value - 1 WHERE name = 'users'; END`);
  }
  // Counted after the triggers exist, in the same transaction: on PostgreSQL CREATE TRIGGER
  // holds off inserts into users until this commits, so no signup falls between the two.
  await knex.raw(`INSERT INTO counters (name, value) SELECT 'users', count(*) FROM users`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'DROP TRIGGER IF EXISTS users_counted_insert' + (knex.client.config.client === 'pg' ? ' ON users' : ''),
  );
  await knex.raw(
    'DROP TRIGGER IF EXISTS users_counted_delete' + (knex.client.config.client === 'pg' ? ' ON users' : ''),
  );
  if (knex.client.config.client === 'pg') await knex.raw('DROP FUNCTION IF EXISTS mux1_count_users()');
  await knex.schema.dropTableIfExists('counters');
}
