import type { Knex } from 'knex';

export interface ReadMarker {
  room: string;
  last_read_id: number;
}

/**
 * Moves the user's marker of a room to `id`, never back: an older id (a slow device, a late
 * retry) leaves it where it is. Returns where the marker now stands.
 */
export async function markRead(db: Knex, userId: number, room: string, id: number): Promise<number> {
  await db('read_markers')
    .insert({ user_id: userId, room, last_read_id: id })
    .onConflict(['user_id', 'room'])
    .merge({
      last_read_id: db.raw(
        'CASE WHEN excluded.last_read_id > read_markers.last_read_id THEN excluded.last_read_id ELSE read_markers.last_read_id END',
      ),
    });
  const row = await db('read_markers').where({ user_id: userId, room }).first('last_read_id');
  return Number(row?.last_read_id ?? 0);
}

/** Makes the room appear in each user's list (a first direct message) without moving a marker. */
export async function addRoom(db: Knex, userIds: number[], room: string): Promise<void> {
  await db('read_markers')
    .insert(userIds.map((user_id) => ({ user_id, room, last_read_id: 0 })))
    .onConflict(['user_id', 'room'])
    .ignore();
}

export async function markersOf(db: Knex, userId: number): Promise<ReadMarker[]> {
  const rows: { room: unknown; last_read_id: unknown }[] = await db('read_markers')
    .where({ user_id: userId })
    .orderBy('room')
    .select('room', 'last_read_id');
  return rows.map((r) => ({ room: String(r.room), last_read_id: Number(r.last_read_id) }));
}

/**
 * Messages by others than `userId`, and not by users they block, after `after` in a room, up to
 * `cap`. The inner query walks the (room, id) index from the marker and stops at `cap` rows, so
 * the cost is bounded by the cap, not by the size of the room.
 */
export async function unreadCount(
  db: Knex,
  userId: number,
  room: string,
  after: number,
  cap: number,
): Promise<number> {
  const blocked = db('user_blocks').where('blocker_id', userId).select('blocked_id');
  const unread = db('messages')
    .where('room', room)
    .where('id', '>', after)
    .where((q) =>
      q.whereNull('user_id').orWhere((o) => o.whereNot('user_id', userId).whereNotIn('user_id', blocked)),
    )
    .select('id')
    .limit(cap)
    .as('unread');
  const row = await db.from(unread).count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Mentions of `userId` in a room after `after`: a range of the mentions' primary key. */
export async function mentionCount(
  db: Knex,
  userId: number,
  room: string,
  after: number,
  cap: number,
): Promise<number> {
  const mentions = db('message_mentions')
    .where({ user_id: userId, room })
    .where('message_id', '>', after)
    .select('message_id')
    .limit(cap)
    .as('mentions');
  const row = await db.from(mentions).count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
