import type { Knex } from 'knex';

/** A user's own messages, as the account export shows them. */
export interface OwnMessage {
  id: number;
  room: string;
  text: string;
  created_at: number;
}

/**
 * Up to `limit` of a user's messages with ids above `afterId` (and at most `upToId`), oldest
 * first: one page of the export, read through the (user_id, id) index.
 */
export async function pageOfUser(
  db: Knex,
  userId: number,
  page: { afterId: number; upToId: number; limit: number },
): Promise<OwnMessage[]> {
  const rows: Record<string, unknown>[] = await db('messages')
    .where({ user_id: userId })
    .where('id', '>', page.afterId)
    .where('id', '<=', page.upToId)
    .orderBy('id')
    .limit(page.limit)
    .select('id', 'room', 'text', 'created_at');
  return rows.map((row) => ({
    id: Number(row.id),
    room: String(row.room),
    text: String(row.text),
    created_at: Number(row.created_at),
  }));
}

/**
 * Keeps the messages of a deleted account, with no author: the conversation around them stays
 * readable, and nothing in them points back to the account any more.
 */
export async function anonymise(db: Knex, userId: number): Promise<void> {
  await db('messages').where({ user_id: userId }).update({ user_id: null });
}
