import type { Knex } from 'knex';
import { jsonPage, type JsonPage } from './json-pages.js';

/**
 * Up to `limit` of a user's messages with ids above `afterId` (and at most `upToId`), oldest
 * first, as the account export shows them (`{id, room, text, created_at}`), written as JSON by
 * the database: one page of the export, read through the (user_id, id) index.
 */
export function exportPageOfUser(
  db: Knex,
  userId: number,
  page: { afterId: number; upToId: number; limit: number },
): Promise<JsonPage> {
  const rows = db('messages')
    .where({ user_id: userId })
    .where('id', '>', page.afterId)
    .where('id', '<=', page.upToId)
    .orderBy('id')
    .limit(page.limit);
  return jsonPage(
    db,
    rows,
    { id: 'id', room: 'room', text: 'text', created_at: { time: 'created_at' } },
    'asc',
  );
}

/**
 * Keeps the messages of a deleted account, with no author: the conversation around them stays
 * readable, and nothing in them points back to the account any more.
 */
export async function anonymise(db: Knex, userId: number): Promise<void> {
  await db('messages').where({ user_id: userId }).update({ user_id: null });
}
