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

const PG_FUNCTION = `
CREATE FUNCTION mux1_user_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO daily_stats (day, signups) VALUES (${DAY_PG('NEW.created_at')}, 1)
      ON CONFLICT (day) DO UPDATE SET signups = daily_stats.signups + 1;
    IF NEW.email_verified_at IS NOT NULL THEN
      UPDATE counters SET value = value + 1 WHERE name = 'verified_users';
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    IF OLD.email_verified_at IS NULL AND NEW.email_verified_at IS NOT NULL THEN
      UPDATE counters SET value = value + 1 WHERE name = 'verified_users';
      INSERT INTO daily_stats (day, verifications) VALUES (${DAY_PG('NEW.email_verified_at')}, 1)
        ON CONFLICT (day) DO UPDATE SET verifications = daily_stats.verifications + 1;
    ELSIF OLD.email_verified_at IS NOT NULL AND NEW.email_verified_at IS NULL THEN
      UPDATE counters SET value = value - 1 WHERE name = 'verified_users';
    END IF;
  ELSIF OLD.email_verified_at IS NOT NULL THEN
    UPDATE counters SET value = value - 1 WHERE name = 'verified_users';
  END IF;
  RETURN NULL;
END $$`;

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
    await knex.raw(PG_FUNCTION);
    await knex.raw(`CREATE TRIGGER users_stats AFTER INSERT OR UPDATE OF email_verified_at OR DELETE ON users
      FOR EACH ROW EXECUTE PROCEDURE mux1_user_stats()`);
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
    await knex.raw('DROP TRIGGER IF EXISTS users_stats ON users');
    await knex.raw('DROP FUNCTION IF EXISTS mux1_user_stats()');
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
