import type { Knex } from 'knex';

/**
 * Roles and the account states an operator or the owner sets: `role` (user, moderator, admin)
 * on the user's row, so every authentication already reads it; `disabled_at` set by an admin
 * (signing in is refused until enabled again) and `deactivated_at` set by the owner (the next
 * sign-in reactivates). The audit log learns who acted (`actor_id`, for admin and moderator
 * actions on someone else) and a short `detail` (the new role, the room, the minutes), and is
 * read by type and by actor newest first through indexes, so the admin audit view pages by id
 * without scanning.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('role', 16).notNullable().defaultTo('user');
    t.bigInteger('disabled_at').nullable();
    t.bigInteger('deactivated_at').nullable();
  });
  await knex.schema.alterTable('audit_events', (t) => {
    t.integer('actor_id').nullable();
    t.string('detail', 200).nullable();
    t.index(['type', 'id']);
    t.index(['actor_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_events', (t) => {
    t.dropIndex(['actor_id', 'id']);
    t.dropIndex(['type', 'id']);
    t.dropColumn('detail');
    t.dropColumn('actor_id');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('deactivated_at');
    t.dropColumn('disabled_at');
    t.dropColumn('role');
  });
}
