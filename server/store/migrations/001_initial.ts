import type { Knex } from 'knex';

// Times are integer milliseconds since the epoch: the same on SQLite and PostgreSQL, and
// compared with the injected clock without time-zone surprises.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('username', 32).notNullable().unique();
    t.string('email', 254).notNullable().unique();
    t.string('password_hash', 200).notNullable();
    t.bigInteger('email_verified_at').nullable();
    t.bigInteger('created_at').notNullable();
    t.integer('failed_logins').notNullable().defaultTo(0);
    t.bigInteger('last_failed_login_at').nullable();
  });

  await knex.schema.createTable('email_codes', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('purpose', 16).notNullable();
    t.string('code_hash', 64).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('used_at').nullable();
    t.bigInteger('created_at').notNullable();
    t.index(['user_id', 'purpose']);
  });

  await knex.schema.createTable('sessions', (t) => {
    t.string('id', 32).primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('last_seen_at').notNullable();
    t.string('user_agent', 512).nullable();
    t.string('ip', 64).nullable();
    t.bigInteger('revoked_at').nullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('mail_outbox', (t) => {
    t.increments('id');
    t.string('recipient', 254).notNullable();
    t.string('subject', 200).notNullable();
    t.text('text_body').notNullable();
    t.text('html_body').notNullable();
    t.bigInteger('created_at').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.bigInteger('locked_until').nullable();
    t.bigInteger('sent_at').nullable();
    t.bigInteger('failed_at').nullable();
    t.string('last_error', 500).nullable();
    t.index(['sent_at', 'failed_at', 'next_attempt_at']);
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.increments('id');
    t.integer('user_id').nullable().references('users.id').onDelete('SET NULL');
    t.string('type', 32).notNullable();
    t.bigInteger('at').notNullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 512).nullable();
    t.index(['user_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['audit_events', 'mail_outbox', 'sessions', 'email_codes', 'users']) {
    await knex.schema.dropTableIfExists(table);
  }
}
