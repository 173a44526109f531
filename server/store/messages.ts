import type { Knex } from 'knex';

export interface NewMessage {
  room: string;
  user_id: number;
  text: string;
  created_at: number;
}

export interface MessageRow {
  id: number;
  room: string;
  user_id: number | null;
  /** null when the author's account is gone. */
  username: string | null;
  text: string;
  created_at: number;
}

export async function insertMessage(db: Knex, message: NewMessage): Promise<number> {
  const [row] = await db('messages').insert(message).returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

/**
 * Many messages in one statement and one commit. Ids are handed out in VALUES order on SQLite
 * and PostgreSQL alike, but RETURNING's row order is not promised, hence the sort.
 */
export async function insertMessages(db: Knex, messages: NewMessage[]): Promise<number[]> {
  const rows: (number | { id: number })[] = await db('messages').insert(messages).returning('id');
  return rows.map((row) => Number(typeof row === 'object' ? row.id : row)).sort((a, b) => a - b);
}

/** Up to `limit` messages of a room older than `before` (an id), oldest first. */
export async function listMessages(
  db: Knex,
  room: string,
  options: { before?: number; limit: number },
): Promise<MessageRow[]> {
  const query = db('messages')
    .leftJoin('users', 'users.id', 'messages.user_id')
    .where('messages.room', room)
    .select(
      'messages.id',
      'messages.room',
      'messages.user_id',
      'users.username',
      'messages.text',
      'messages.created_at',
    )
    .orderBy('messages.id', 'desc')
    .limit(options.limit);
  if (options.before !== undefined) query.where('messages.id', '<', options.before);
  const rows: Record<string, unknown>[] = await query;
  return rows.reverse().map((row) => ({
    id: Number(row.id),
    room: String(row.room),
    user_id: row.user_id == null ? null : Number(row.user_id),
    username: row.username == null ? null : String(row.username),
    text: String(row.text),
    created_at: Number(row.created_at),
  }));
}

export async function countMessages(db: Knex): Promise<number> {
  const row = await db('messages').count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
