import { mergeSoon } from './search-merge.js';
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
  edited_at: number | null;
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

type InsertedRow = { id: number; user_id: number; client_id: string | null };

/** PostgreSQL's insert text for each batch size met so far (the writer's batches hold 1 to MAX_BATCH). */
const insertSqlOf = new Map<number, string>();

/**
 * The batch insert written out rather than built by knex's query builder: built, it cost the
 * chat path's main thread a few microseconds and about 1 KB of garbage per message (quoting
 * every column of every row, a UNION ALL of SELECTs on SQLite; bench/profile-chat-throughput.ts),
 * and its text is the same for every batch of one size. The
 * same statement as the builder's `.insert().onConflict().ignore().returning()` (knex.raw turns
 * the ? into $n). PostgreSQL's; SQLite's is SQLITE_INSERT below.
 */
function insertSql(rows: number): string {
  let sql = insertSqlOf.get(rows);
  if (sql === undefined) {
    sql =
      'insert into messages (room, user_id, text, created_at, client_id) values ' +
      Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ') +
      ' on conflict (user_id, client_id) do nothing returning id, user_id, client_id';
    insertSqlOf.set(rows, sql);
  }
  return sql;
}

/**
 * SQLite's batch insert: the batch bound as one JSON array and spread into rows by json_each,
 * in the array's order (`order by key`). Bound as five values per row, each value crossed from
 * JavaScript into the sqlite3 addon on the event loop (a type check per number and null), and Knex
 * walked the 750 placeholders of every statement: 1.5 us more CPU per message stored, of about 11
 * (10,000 messages in batches of 150, the median of eight runs each, alternated). The array is
 * JSON.stringify's, whose text SQLite reads back as it was: NUL and lone surrogates, the two
 * things JSON could not carry faithfully, are refused before a message gets here (validate.ts).
 * `where true` lets SQLite tell the upsert's ON CONFLICT from a join's ON.
 */
const SQLITE_INSERT =
  'insert into messages (room, user_id, text, created_at, client_id) ' +
  'select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 from json_each(?) ' +
  'where true order by key ' +
  'on conflict (user_id, client_id) do nothing returning id, user_id, client_id';

/** A message's values in the order both inserts name their columns. */
const insertedColumns = (m: NewMessage): (string | number | null)[] => [
  m.room,
  m.user_id,
  m.text,
  m.created_at,
  m.client_id ?? null,
];

/**
 * Many messages in one statement and one commit. A row whose (user_id, client_id) is taken - by
 * an earlier message or by a row before it in the same batch - is skipped by the database (ON
 * CONFLICT DO NOTHING, on SQLite and PostgreSQL alike) and answered with the id it collided with.
 * Ids are handed out in the batch's order on both, so the rows RETURNING names, sorted by id, are the
 * batch minus the skipped rows, in batch order; RETURNING's own row order is not promised.
 */
export async function insertMessages(db: Knex, messages: NewMessage[]): Promise<Stored[]> {
  const values = messages.map(insertedColumns);
  const result: InsertedRow[] | { rows: InsertedRow[] } =
    db.client.config.client === 'sqlite3'
      ? await db.raw(SQLITE_INSERT, [JSON.stringify(values)])
      : await db.raw(insertSql(messages.length), values.flat());
  // The search index took the batch as a segment of its own; it is merged between writes.
  mergeSoon(db);
  const inserted = Array.isArray(result) ? result : result.rows;
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

/** The columns a message is read with, its author's name joined in. */
export function selectMessages(db: Knex): Knex.QueryBuilder {
  return db('messages')
    .leftJoin('users', 'users.id', 'messages.user_id')
    .select(
      'messages.id',
      'messages.room',
      'messages.user_id',
      'users.username',
      'messages.text',
      'messages.created_at',
      'messages.edited_at',
    );
}

export function toMessageRow(row: Record<string, unknown>): MessageRow {
  return {
    id: Number(row.id),
    room: String(row.room),
    user_id: row.user_id == null ? null : Number(row.user_id),
    username: row.username == null ? null : String(row.username),
    text: String(row.text),
    created_at: Number(row.created_at),
    edited_at: row.edited_at == null ? null : Number(row.edited_at),
  };
}

/** Leaves out the messages whose author `userId` blocks (messages of deleted accounts stay). */
export function hideBlockedAuthors(query: Knex.QueryBuilder, db: Knex, userId: number): void {
  query.where((q) =>
    q
      .whereNull('messages.user_id')
      .orWhereNotIn('messages.user_id', db('user_blocks').where('blocker_id', userId).select('blocked_id')),
  );
}

/**
 * Up to `limit` messages of a room, oldest first: the newest ones, or the newest ones older than
 * `before`, or the oldest ones newer than `after` (ids). `reader` hides the authors they block.
 */
export async function listMessages(
  db: Knex,
  room: string,
  options: { before?: number; after?: number; limit: number; reader?: number },
): Promise<MessageRow[]> {
  const forward = options.after !== undefined;
  const query = selectMessages(db)
    .where('messages.room', room)
    .orderBy('messages.id', forward ? 'asc' : 'desc')
    .limit(options.limit);
  if (options.before !== undefined) query.where('messages.id', '<', options.before);
  if (options.after !== undefined) query.where('messages.id', '>', options.after);
  if (options.reader !== undefined) hideBlockedAuthors(query, db, options.reader);
  const rows: Record<string, unknown>[] = await query;
  if (!forward) rows.reverse();
  return rows.map(toMessageRow);
}

/** A stored message as its author's edit or delete needs it. */
export async function findMessage(
  db: Knex,
  id: number,
): Promise<{ id: number; room: string; user_id: number | null; text: string } | undefined> {
  const row = await db('messages').where({ id }).first('id', 'room', 'user_id', 'text');
  if (!row) return undefined;
  return {
    id: Number(row.id),
    room: String(row.room),
    user_id: row.user_id == null ? null : Number(row.user_id),
    text: String(row.text),
  };
}

/** The new text; the first one is kept in `first_text` (once), for moderators. */
export async function editMessage(db: Knex, id: number, text: string, editedAt: number): Promise<void> {
  await db('messages')
    .where({ id })
    .update({ text, edited_at: editedAt, first_text: db.raw('COALESCE(first_text, text)') });
}

/** Gone from history, search (the index follows the row) and the author's export. */
export async function deleteMessage(db: Knex, id: number): Promise<void> {
  await db('messages').where({ id }).delete();
}

/** The newest message id of a room, 0 for an empty one (one step down the room's index). */
export async function newestId(db: Knex, room: string): Promise<number> {
  const row = await db('messages').where({ room }).max<{ id: number | null }[]>({ id: 'id' }).first();
  return Number(row?.id ?? 0);
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
