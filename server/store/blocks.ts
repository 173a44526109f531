import type { Knex } from 'knex';
import { coalesced } from './coalesce.js';

export async function block(db: Knex, blockerId: number, blockedId: number, at: number): Promise<void> {
  await db('user_blocks')
    .insert({ blocker_id: blockerId, blocked_id: blockedId, created_at: at })
    .onConflict(['blocker_id', 'blocked_id'])
    .ignore();
}

export async function unblock(db: Knex, blockerId: number, blockedId: number): Promise<void> {
  await db('user_blocks').where({ blocker_id: blockerId, blocked_id: blockedId }).delete();
}

/** SQLite's oldest limit on bound values per statement is 999. */
const LOOKUP_BATCH = 500;

/**
 * The users who block `authorId`: their sockets are left out of the author's room messages.
 *
 * Asked once per message sent, so a busy room asks many times a second; the lookups made in
 * one turn of the event loop go out as one query (`blocked_id IN (...)`), as the message writer
 * batches the inserts they follow. Each lookup still starts after it is asked for, so a block
 * committed before a message is sent is always seen.
 */
export const blockersOf: (db: Knex, authorId: number) => Promise<number[]> = coalesced(
  String,
  async (db, authors: number[]) => {
    const rows: { blocker_id: unknown; blocked_id: unknown }[] = await db('user_blocks')
      .whereIn('blocked_id', authors)
      .select('blocker_id', 'blocked_id');
    const found = new Map<number, number[]>();
    for (const r of rows) {
      const ids = found.get(Number(r.blocked_id)) ?? [];
      ids.push(Number(r.blocker_id));
      found.set(Number(r.blocked_id), ids);
    }
    return (author) => found.get(author) ?? [];
  },
  LOOKUP_BATCH,
);

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
