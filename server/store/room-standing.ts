import type { Knex } from 'knex';
import { coalescedByRoomAndUser, type RoomAndUser } from './coalesce.js';
import { privacyAmong, type Privacy } from './private-rooms.js';
import { sanctionsAmong, type SanctionRow } from './room-sanctions.js';

/** What a message to a public room asks about its author there: may they see it, are they sanctioned. */
export interface RoomStanding extends Privacy {
  /** Every sanction row of the author in the room, in force or not (inForceAt says which). */
  sanctions: readonly SanctionRow[];
}

/**
 * The room's privacy (privacyOf) and the author's sanctions there (sanctionsInForce) in one
 * lookup, for the (room, user) pairs asked in one turn of the event loop (coalesce.ts): the same
 * two queries those ask, sent together, with one answer per pair. A message asked both, and each
 * lookup cost the message its own promise and waiting frames; the messages of one author in one
 * room in the same turn (a burst) now share one answer. As with each of them, the lookup starts
 * after it is asked, so whatever was committed before - on any server process - is seen.
 */
export const roomStanding: (db: Knex, pair: RoomAndUser) => Promise<RoomStanding> = coalescedByRoomAndUser(
  async (db, pairs) => {
    const [privacy, sanctions] = await Promise.all([privacyAmong(db, pairs), sanctionsAmong(db, pairs)]);
    return (pair) => ({ ...privacy(pair), sanctions: sanctions(pair) });
  },
);
