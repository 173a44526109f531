import type { Knex } from 'knex';

/** The ids of the users with these (lower-case) usernames. */
export async function idsOfUsernames(db: Knex, usernames: string[]): Promise<number[]> {
  if (usernames.length === 0) return [];
  const rows: { id: unknown }[] = await db('users').whereIn('username', usernames).select('id');
  return rows.map((r) => Number(r.id));
}

/** The users a message mentions, replacing what it mentioned before (an edit). */
export async function saveMentions(
  db: Knex,
  messageId: number,
  room: string,
  userIds: number[],
): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('message_mentions').where({ message_id: messageId }).delete();
    if (userIds.length > 0) {
      await trx('message_mentions').insert(
        userIds.map((user_id) => ({ message_id: messageId, user_id, room })),
      );
    }
  });
}

/** Who each of these messages mentions, by message id (messages that mention no one are absent). */
export async function mentionsOf(db: Knex, messageIds: number[]): Promise<Map<number, number[]>> {
  const found = new Map<number, number[]>();
  if (messageIds.length === 0) return found;
  const rows: { message_id: unknown; user_id: unknown }[] = await db('message_mentions')
    .whereIn('message_id', messageIds)
    .orderBy('user_id')
    .select('message_id', 'user_id');
  for (const row of rows) {
    const id = Number(row.message_id);
    found.set(id, [...(found.get(id) ?? []), Number(row.user_id)]);
  }
  return found;
}
