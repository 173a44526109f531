import type { Knex } from 'knex';

/** A mute keeps a member from writing in a room; a ban keeps them out of it. */
export type SanctionKind = 'mute' | 'ban';

/**
 * When the user's sanction of that kind in the room ends: a time (ms), null for one with no end,
 * undefined when there is none in force at `now`. One read of the primary key, on every message
 * and join of a public room.
 */
export async function sanctionUntil(
  db: Knex,
  room: string,
  userId: number,
  kind: SanctionKind,
  now: number,
): Promise<number | null | undefined> {
  const row = await db('room_sanctions').where({ room, user_id: userId, kind }).first('until');
  if (!row) return undefined;
  if (row.until === null) return null;
  const until = Number(row.until);
  return until > now ? until : undefined;
}

/**
 * The user's sanctions in force in the room at `now`, by kind (the end time, null for none): one
 * read of the primary key's prefix for both kinds, since every message asks about both.
 */
export async function sanctionsInForce(
  db: Knex,
  room: string,
  userId: number,
  now: number,
): Promise<Partial<Record<SanctionKind, number | null>>> {
  const rows: { kind: string; until: number | string | null }[] = await db('room_sanctions')
    .where({ room, user_id: userId })
    .select('kind', 'until');
  const found: Partial<Record<SanctionKind, number | null>> = {};
  for (const row of rows) {
    const until = row.until === null ? null : Number(row.until);
    if ((row.kind === 'mute' || row.kind === 'ban') && (until === null || until > now))
      found[row.kind] = until;
  }
  return found;
}

/** Sets (or replaces) a sanction: the latest moderator's word is the one that holds. */
export async function impose(
  db: Knex,
  sanction: {
    room: string;
    userId: number;
    kind: SanctionKind;
    until: number | null;
    actorId: number;
    at: number;
  },
): Promise<void> {
  await db('room_sanctions')
    .insert({
      room: sanction.room,
      user_id: sanction.userId,
      kind: sanction.kind,
      until: sanction.until,
      actor_id: sanction.actorId,
      created_at: sanction.at,
    })
    .onConflict(['room', 'user_id', 'kind'])
    .merge(['until', 'actor_id', 'created_at']);
}

/** Lifts a sanction; true when there was one. */
export async function lift(db: Knex, room: string, userId: number, kind: SanctionKind): Promise<boolean> {
  return (await db('room_sanctions').where({ room, user_id: userId, kind }).delete()) > 0;
}

/** The rooms `userId` is banned from at `now`, for leaving them out of a search of every room. */
export function bannedFrom(db: Knex, userId: number, now: number): Knex.QueryBuilder {
  return db('room_sanctions')
    .where({ user_id: userId, kind: 'ban' })
    .where((q) => q.whereNull('until').orWhere('until', '>', now))
    .select('room');
}

/** Of `ids`, those banned from `room` at `now`: a mention there does not reach them. */
export async function bannedAmong(db: Knex, room: string, ids: number[], now: number): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows: { user_id: number | string }[] = await db('room_sanctions')
    .where({ room, kind: 'ban' })
    .whereIn('user_id', ids)
    .where((q) => q.whereNull('until').orWhere('until', '>', now))
    .select('user_id');
  return new Set(rows.map((r) => Number(r.user_id)));
}
