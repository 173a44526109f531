import type { Knex } from 'knex';

export async function block(db: Knex, blockerId: number, blockedId: number, at: number): Promise<void> {
  await db('user_blocks')
    .insert({ blocker_id: blockerId, blocked_id: blockedId, created_at: at })
    .onConflict(['blocker_id', 'blocked_id'])
    .ignore();
}

export async function unblock(db: Knex, blockerId: number, blockedId: number): Promise<void> {
  await db('user_blocks').where({ blocker_id: blockerId, blocked_id: blockedId }).delete();
}

export async function blocks(db: Knex, blockerId: number, blockedId: number): Promise<boolean> {
  return (
    (await db('user_blocks').where({ blocker_id: blockerId, blocked_id: blockedId }).first('blocker_id')) !==
    undefined
  );
}

/** The users who block `authorId`: their sockets are left out of the author's room messages. */
export async function blockersOf(db: Knex, authorId: number): Promise<number[]> {
  const rows: { blocker_id: unknown }[] = await db('user_blocks')
    .where({ blocked_id: authorId })
    .select('blocker_id');
  return rows.map((r) => Number(r.blocker_id));
}

/** Who `userId` blocks, by name, for the account export. */
export async function blockedBy(
  db: Knex,
  userId: number,
): Promise<{ username: string; created_at: number }[]> {
  const rows: { username: unknown; created_at: unknown }[] = await db('user_blocks')
    .join('users', 'users.id', 'user_blocks.blocked_id')
    .where('user_blocks.blocker_id', userId)
    .orderBy('users.username')
    .select('users.username', 'user_blocks.created_at');
  return rows.map((r) => ({ username: String(r.username), created_at: Number(r.created_at) }));
}
