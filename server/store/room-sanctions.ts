import type { Knex } from 'knex';
import { coalescedByRoomAndUser, type RoomAndUser } from './coalesce.js';

/** A mute keeps a member from writing in a room; a ban keeps them out of it. */
export type SanctionKind = 'mute' | 'ban';

export interface SanctionRow {
  room: string;
  user_id: number;
  kind: string;
  until: number | null;
}

/** A user's sanctions in force in a room, by kind: the end time, null for none. */
export type InForce = Partial<Record<SanctionKind, number | null>>;

/**
 * Every sanction of many (room, user) pairs in one read of the primary key: rooms IN (...) and
 * users IN (...) may also match pairs nobody asked about, which each answer leaves out. Sanctions
 * are few, so that costs next to nothing.
 */
export async function sanctionsAmong(
  db: Knex,
  pairs: RoomAndUser[],
): Promise<(pair: RoomAndUser) => SanctionRow[]> {
  const rows: { room: string; user_id: unknown; kind: string; until: unknown }[] = await db('room_sanctions')
    .whereIn('room', [...new Set(pairs.map((p) => p.room))])
    .whereIn('user_id', [...new Set(pairs.map((p) => p.userId))])
    .select('room', 'user_id', 'kind', 'until');
  const found = new Map<string, SanctionRow[]>();
  for (const r of rows) {
    const row = {
      room: r.room,
      user_id: Number(r.user_id),
      kind: r.kind,
      until: r.until === null ? null : Number(r.until),
    };
    const key = `${row.user_id}\n${row.room}`;
    found.set(key, [...(found.get(key) ?? []), row]);
  }
  return ({ room, userId }) => found.get(`${userId}\n${room}`) ?? [];
}

/** The lookups of one turn of the event loop share one query (coalesce.ts). */
const sanctionRows = coalescedByRoomAndUser(sanctionsAmong);

/** Of a user's sanction rows in a room, those in force at `now`, by kind. */
export function inForceAt(rows: readonly SanctionRow[], now: number): InForce {
  const found: InForce = {};
  for (const row of rows) {
    if ((row.kind === 'mute' || row.kind === 'ban') && (row.until === null || row.until > now))
      found[row.kind] = row.until;
  }
  return found;
}

/**
 * The user's sanctions in force in the room at `now`, by kind (the end time, null for none).
 * Every join of a public room asks (and every message, with its room's privacy:
 * room-standing.ts), so the lookups of one turn of the event loop share one query; each still
 * starts after it is asked, so a mute or ban committed before a message arrives - on any server
 * process - holds for that message.
 */
export async function sanctionsInForce(
  db: Knex,
  room: string,
  userId: number,
  now: number,
): Promise<InForce> {
  return inForceAt(await sanctionRows(db, { room, userId }), now);
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
