import type { Knex } from 'knex';

/*
 * What administration reads, kept so that its cost follows what is asked, not how many accounts
 * there are (docs/operations.md, "Administration statistics"):
 *
 * - `users.last_login_at`, shown in the admin's users list and used to count each account once a
 *   day among the day's active users.
 * - `daily_stats`: one row per UTC day of counts added as things happen (signups, verifications,
 *   active users, logins, failed logins, messages). A stats page of 30 days reads 30 rows. A count
 *   over indexed created_at ranges would grow with the signups of the days asked and could not
 *   count logins or active users at all (the audit log forgets after RETENTION_AUDIT_DAYS).
 *   Signups and verifications are counted by triggers on `users`, so every path that makes or
 *   verifies an account (signup, reset, `mux1 admin create`, a bulk load) is counted; the rest
 *   are added by the rules that see them.
 * - counters row `verified_users`, kept by triggers beside 007's `users`.
 * - indexes on `users (role, disabled_at)` and `users.disabled_at`: the totals count admins, moderators and
 *   disabled accounts through them (cost: those accounts, not all of them), and the last-admin
 *   check reads the admins through the first.
 * - on PostgreSQL, `text_pattern_ops` indexes on username and email, so a prefix LIKE is an index
 *   range whatever the database's collation (SQLite's search adds the range itself).
 */

const DAY_SQLITE = (col: string) => `strftime('%Y-%m-%d', ${col} / 1000, 'unixepoch')`;
const DAY_PG = (col: string) => `to_char(to_timestamp(${col} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

/*
 * PostgreSQL counts once per statement from the transition tables, as 007 does: a bulk insert
 * of a million accounts updates each day's row once, not a million times (row triggers on one
 * hot row made such a load take minutes). Transition tables cannot go with a column list, so the
 * UPDATE trigger runs after every UPDATE of users and finds the verifications by joining the old
 * and new rows of that statement (usually one).
 */
const PG_FUNCTIONS = [
  `CREATE FUNCTION mux1_users_inserted_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO daily_stats (day, signups)
    SELECT ${DAY_PG('created_at')}, count(*) FROM new_rows GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET signups = daily_stats.signups + EXCLUDED.signups;
  UPDATE counters SET value = value + (SELECT count(*) FROM new_rows WHERE email_verified_at IS NOT NULL)
    WHERE name = 'verified_users';
  RETURN NULL;
END $$`,
  `CREATE FUNCTION mux1_users_updated_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO daily_stats (day, verifications)
    SELECT ${DAY_PG('n.email_verified_at')}, count(*)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.email_verified_at IS NULL AND n.email_verified_at IS NOT NULL GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET verifications = daily_stats.verifications + EXCLUDED.verifications;
  UPDATE counters SET value = value
      + (SELECT count(*) FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE o.email_verified_at IS NULL AND n.email_verified_at IS NOT NULL)
      - (SELECT count(*) FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE o.email_verified_at IS NOT NULL AND n.email_verified_at IS NULL)
    WHERE name = 'verified_users';
  RETURN NULL;
END $$`,
  `CREATE FUNCTION mux1_users_deleted_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE counters SET value = value - (SELECT count(*) FROM old_rows WHERE email_verified_at IS NOT NULL)
    WHERE name = 'verified_users';
  RETURN NULL;
END $$`,
];

const PG_TRIGGERS = [
  `CREATE TRIGGER users_stats_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE PROCEDURE mux1_users_inserted_stats()`,
  `CREATE TRIGGER users_stats_update AFTER UPDATE ON users REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE PROCEDURE mux1_users_updated_stats()`,
  `CREATE TRIGGER users_stats_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows
     FOR EACH STATEMENT EXECUTE PROCEDURE mux1_users_deleted_stats()`,
];

const SQLITE_TRIGGERS = [
  `CREATE TRIGGER users_stats_insert AFTER INSERT ON users BEGIN
     INSERT INTO daily_stats (day, signups) VALUES (${DAY_SQLITE('new.created_at')}, 1)
       ON CONFLICT (day) DO UPDATE SET signups = signups + 1;
     UPDATE counters SET value = value + 1 WHERE name = 'verified_users' AND new.email_verified_at IS NOT NULL;
   END`,
  `CREATE TRIGGER users_stats_verified AFTER UPDATE OF email_verified_at ON users
   WHEN old.email_verified_at IS NULL AND new.email_verified_at IS NOT NULL BEGIN
     UPDATE counters SET value = value + 1 WHERE name = 'verified_users';
     INSERT INTO daily_stats (day, verifications) VALUES (${DAY_SQLITE('new.email_verified_at')}, 1)
       ON CONFLICT (day) DO UPDATE SET verifications = verifications + 1;
   END`,
  `CREATE TRIGGER users_stats_unverified AFTER UPDATE OF email_verified_at ON users
   WHEN old.email_verified_at IS NOT NULL AND new.email_verified_at IS NULL BEGIN
     UPDATE counters SET value = value - 1 WHERE name = 'verified_users';
   END`,
  `CREATE TRIGGER users_stats_delete AFTER DELETE ON users WHEN old.email_verified_at IS NOT NULL BEGIN
     UPDATE counters SET value = value - 1 WHERE name = 'verified_users';
   END`,
];

export async function up(knex: Knex): Promise<void> {
  const pg = knex.client.config.client === 'pg';
  await knex.schema.alterTable('users', (t) => {
    t.bigInteger('last_login_at').nullable();
    t.index(['role', 'disabled_at'], 'users_role_index');
    t.index(['disabled_at'], 'users_disabled_at_index');
  });
  await knex.schema.createTable('daily_stats', (t) => {
    t.string('day', 10).primary();
    for (const column of [
      'signups',
      'verifications',
      'active_users',
      'logins',
      'failed_logins',
      'messages',
    ]) {
      t.bigInteger(column).notNullable().defaultTo(0);
    }
  });
  if (pg) {
    await knex.raw('CREATE INDEX users_username_prefix_index ON users (username text_pattern_ops)');
    await knex.raw('CREATE INDEX users_email_prefix_index ON users (email text_pattern_ops)');
    for (const sql of [...PG_FUNCTIONS, ...PG_TRIGGERS]) await knex.raw(sql);
  } else {
    for (const sql of SQLITE_TRIGGERS) await knex.raw(sql);
  }
  await knex.raw(
    `INSERT INTO counters (name, value) SELECT 'verified_users', count(*) FROM users WHERE email_verified_at IS NOT NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  const pg = knex.client.config.client === 'pg';
  if (pg) {
    for (const name of ['users_stats_insert', 'users_stats_update', 'users_stats_delete']) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${name} ON users`);
    }
    for (const name of ['inserted', 'updated', 'deleted']) {
      await knex.raw(`DROP FUNCTION IF EXISTS mux1_users_${name}_stats()`);
    }
    await knex.raw('DROP INDEX IF EXISTS users_username_prefix_index');
    await knex.raw('DROP INDEX IF EXISTS users_email_prefix_index');
  } else {
    for (const name of [
      'users_stats_insert',
      'users_stats_verified',
      'users_stats_unverified',
      'users_stats_delete',
    ]) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${name}`);
    }
  }
  await knex('counters').where({ name: 'verified_users' }).delete();
  await knex.schema.dropTableIfExists('daily_stats');
  await knex.schema.alterTable('users', (t) => {
    t.dropIndex(['disabled_at'], 'users_disabled_at_index');
    t.dropIndex(['role', 'disabled_at'], 'users_role_index');
    t.dropColumn('last_login_at');
  });
}
