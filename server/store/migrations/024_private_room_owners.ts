import type { Knex } from 'knex';

/**
 * Private rooms left without an owner by an account deleted before deletion handed them over
 * (the foreign key set `owner_id` to null and left the members in a room nobody could manage):
 * each passes to its longest-standing member, as a deletion now does (store/private-rooms.ts
 * handOverRoomsOf). A room with no member stays without an owner, hidden. Data only: down leaves
 * the new owners in place, since nothing says which rooms were orphaned.
 */
export async function up(knex: Knex): Promise<void> {
  const orphans: { room: string }[] = await knex('private_rooms').whereNull('owner_id').select('room');
  for (const { room } of orphans) {
    const next: { user_id: number | string } | undefined = await knex('private_room_members')
      .where({ room })
      .orderBy([{ column: 'added_at' }, { column: 'user_id' }])
      .first('user_id');
    if (next)
      await knex('private_rooms')
        .where({ room })
        .update({ owner_id: Number(next.user_id) });
  }
}

export async function down(): Promise<void> {}
