import type { Knex } from 'knex';

export interface NewMessage {
  room: string;
  user_id: number;
  text: string;
  created_at: number;
  /** The sender's own id for the message, unique per author: a resend stores nothing new. */
  client_id?: string | null;
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

/** A stored message's id; `duplicate` when its author had already sent one with that client_id. */
export interface Stored {
  id: number;
  duplicate: boolean;
}

const toId = (row: unknown): number =>
  Number(typeof row === 'object' && row !== null ? (row as { id: unknown }).id : row);

async function idOfClientId(db: Knex, userId: number, clientId: string): Promise<number> {
  const row = await db('messages').where({ user_id: userId, client_id: clientId }).first('id');
  // Only reached after the unique index refused a row, so the row it collided with exists.
  if (!row) throw new Error('a message collided with a client_id that is not stored');
  return toId(row);
}

/**
 * Many messages in one statement and one commit. A row whose (user_id, client_id) is taken - by
 * an earlier message or by a row before it in the same batch - is skipped by the database (ON
 * CONFLICT DO NOTHING, on SQLite and PostgreSQL alike) and answered with the id it collided with.
 * Ids are handed out in VALUES order on both, so the rows RETURNING names, sorted by id, are the
 * batch minus the skipped rows, in batch order; RETURNING's own row order is not promised.
 */
export async function insertMessages(db: Knex, messages: NewMessage[]): Promise<Stored[]> {
  const inserted: { id: number; user_id: number; client_id: string | null }[] = await db('messages')
    .insert(messages.map((m) => ({ ...m, client_id: m.client_id ?? null })))
    .onConflict(['user_id', 'client_id'])
    .ignore()
    .returning(['id', 'user_id', 'client_id']);
  const rows = inserted
    .map((r) => ({ id: toId(r), user_id: Number(r.user_id), client_id: r.client_id ?? null }))
    .sort((a, b) => a.id - b.id);
  let next = 0;
  const stored: Stored[] = [];
  for (const m of messages) {
    const row = rows[next];
    if (row && row.user_id === m.user_id && row.client_id === (m.client_id ?? null)) {
      stored.push({ id: row.id, duplicate: false });
      next++;
    } else {
      // Skipped: a row without client_id can never collide, so this one has one.
      stored.push({ id: await idOfClientId(db, m.user_id, m.client_id!), duplicate: true });
    }
  }
  return stored;
}

/**
 * Up to `limit` messages of a room, oldest first: the newest ones, or the newest ones older than
 * `before`, or the oldest ones newer than `after` (ids).
 */
export async function listMessages(
  db: Knex,
  room: string,
  options: { before?: number; after?: number; limit: number },
): Promise<MessageRow[]> {
  const forward = options.after !== undefined;
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
    .orderBy('messages.id', forward ? 'asc' : 'desc')
    .limit(options.limit);
  if (options.before !== undefined) query.where('messages.id', '<', options.before);
  if (options.after !== undefined) query.where('messages.id', '>', options.after);
  const rows: Record<string, unknown>[] = await query;
  if (!forward) rows.reverse();
  return rows.map((row) => ({
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

/** The highest message id stored (ids only grow), 0 when there is none. */
export async function lastMessageId(db: Knex): Promise<number> {
  const row = await db('messages').max<{ id: number | string | null }[]>({ id: 'id' });
  return Number(row[0]?.id ?? 0);
}
