import type { Knex } from 'knex';

/** A user's own messages, as the account export shows them. */
export interface OwnMessage {
  id: number;
  room: string;
  text: string;
  created_at: number;
}

export async function listOfUser(db: Knex, userId: number): Promise<OwnMessage[]> {
  const rows: Record<string, unknown>[] = await db('messages')
    .where({ user_id: userId })
    .orderBy('id')
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
