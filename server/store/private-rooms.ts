import type { Knex } from 'knex';
import { coalescedByRoomAndUser, type RoomAndUser } from './coalesce.js';

/** A private room's owner (null once the owner's account is gone). */
export async function ownerOf(db: Knex, room: string): Promise<{ owner_id: number | null } | undefined> {
  const row = await db('private_rooms').where({ room }).first('owner_id');
  if (!row) return undefined;
  return { owner_id: row.owner_id == null ? null : Number(row.owner_id) };
}

export async function isMember(db: Knex, room: string, userId: number): Promise<boolean> {
  return (await db('private_room_members').where({ room, user_id: userId }).first('room')) !== undefined;
}

/** Whether a room is private, and whether the user asked about is a member of it. */
export interface Privacy {
  private: boolean;
  member: boolean;
}

/**
 * Whether each room asked is private, and whether each user asked is a member of it, for many
 * (room, user) pairs in one query: privacyOf's, and room-standing.ts's beside the sanctions.
 */
export async function privacyAmong(db: Knex, pairs: RoomAndUser[]): Promise<(pair: RoomAndUser) => Privacy> {
  const users = [...new Set(pairs.map((p) => p.userId))];
  const rows: { room: string; user_id: unknown }[] = await db('private_rooms as p')
    .leftJoin('private_room_members as m', (join) => {
      join.on('m.room', '=', 'p.room').andOnIn('m.user_id', users);
    })
    .whereIn('p.room', [...new Set(pairs.map((p) => p.room))])
    .select('p.room as room', 'm.user_id as user_id');
  const privateRooms = new Set(rows.map((r) => r.room));
  const members = new Set(
    rows.filter((r) => r.user_id != null).map((r) => `${Number(r.user_id)}\n${r.room}`),
  );
  return ({ room, userId }) => ({
    private: privateRooms.has(room),
    member: members.has(`${userId}\n${room}`),
  });
}

/**
 * Whether each room asked is private, and whether each user asked is a member of it, for the
 * (room, user) pairs asked in one turn of the event loop, in one query (coalesce.ts): every
 * message asks whether its author may see its room, so a burst shares a statement. Each lookup
 * starts after it is asked, so a room made private, an invitation or a removal committed before
 * - on any server process - is seen.
 */
export const privacyOf: (db: Knex, pair: RoomAndUser) => Promise<Privacy> =
  coalescedByRoomAndUser(privacyAmong);

/** Creates the room with its owner as first member; false when the name is taken. */
export async function createRoom(db: Knex, room: string, ownerId: number, at: number): Promise<boolean> {
  return db.transaction(async (trx) => {
    const inserted = await trx('private_rooms')
      .insert({ room, owner_id: ownerId, created_at: at })
      .onConflict('room')
      .ignore()
      .returning('room');
    if (inserted.length === 0) return false;
    await trx('private_room_members').insert({ room, user_id: ownerId, added_at: at });
    return true;
  });
}

/** Adds a member; false when they already were one. */
export async function addMember(db: Knex, room: string, userId: number, at: number): Promise<boolean> {
  const inserted = await db('private_room_members')
    .insert({ room, user_id: userId, added_at: at })
    .onConflict(['room', 'user_id'])
    .ignore()
    .returning('room');
  return inserted.length > 0;
}

/** Removes a member; false when they were not one. */
export async function removeMember(db: Knex, room: string, userId: number): Promise<boolean> {
  return (await db('private_room_members').where({ room, user_id: userId }).delete()) > 0;
}

/** The private rooms the user is a member of, by name: their `rooms` list shows them all. */
export async function roomsOfMember(db: Knex, userId: number): Promise<string[]> {
  const rows: { room: unknown }[] = await db('private_room_members')
    .where('user_id', userId)
    .orderBy('room')
    .select('room');
  return rows.map((r) => String(r.room));
}

/** The private rooms among `rooms`, for filtering lists. */
export async function privateAmong(db: Knex, rooms: string[]): Promise<Set<string>> {
  if (rooms.length === 0) return new Set();
  const rows: { room: string }[] = await db('private_rooms').whereIn('room', rooms).select('room');
  return new Set(rows.map((r) => r.room));
}

/** The private rooms the user is not a member of, for hiding them from search. */
export function hiddenFrom(db: Knex, userId: number): Knex.QueryBuilder {
  return db('private_rooms')
    .whereNotIn('room', db('private_room_members').where('user_id', userId).select('room'))
    .select('room');
}

/**
 * Before an account goes: each private room it owns passes to the member who has been in it
 * longest (the earliest invited; the lower id on a tie), so nobody is left in a room nobody may
 * manage. A room with no other member keeps no owner and no members: nobody can see it, its name
 * stays taken, and what was said in it stays hidden rather than turning public. The account's own
 * memberships go. Run inside the deletion's transaction; answers the rooms and their new owners.
 */
export async function handOverRoomsOf(
  trx: Knex,
  userId: number,
): Promise<{ room: string; ownerId: number | null }[]> {
  const owned: { room: string }[] = await trx('private_rooms').where({ owner_id: userId }).select('room');
  const handed: { room: string; ownerId: number | null }[] = [];
  for (const { room } of owned) {
    const next: { user_id: number | string } | undefined = await trx('private_room_members')
      .where({ room })
      .whereNot({ user_id: userId })
      .orderBy([{ column: 'added_at' }, { column: 'user_id' }])
      .first('user_id');
    const ownerId = next === undefined ? null : Number(next.user_id);
    await trx('private_rooms').where({ room }).update({ owner_id: ownerId });
    handed.push({ room, ownerId });
  }
  await trx('private_room_members').where({ user_id: userId }).delete();
  return handed;
}
