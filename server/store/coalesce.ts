import type { Knex } from 'knex';

/** One key's lookup in a turn: every asker of the key in that turn gets the same promise. */
interface Asked<K, A> {
  key: K;
  answer: Promise<A>;
  resolve(answer: A): void;
  reject(err: unknown): void;
}

interface Gathering<K, A> {
  keys: Map<string, Asked<K, A>>;
}

/**
 * A lookup by key that every message asks (who blocks its author, is its room private, is its
 * author muted there) made into one query per turn of the event loop: the lookups asked in the
 * same turn, on the same database handle, go out together once the turn ends (setImmediate), as
 * the message writer batches the inserts they precede. A burst of a thousand messages then costs
 * a few statements instead of a thousand round trips through the database connection.
 *
 * Nothing is remembered between turns: each lookup's query starts after it was asked for, so
 * whatever was committed before it was asked - by this process or any other - is seen, and
 * there is nothing to invalidate. `fetch` answers up to `perQuery` distinct keys at once (SQLite's
 * oldest limit on bound values per statement is 999); a failed query rejects the lookups it was
 * answering, and the next turn asks afresh. The askers of one key in one turn share one promise
 * (a burst asks the same key many times: each of a socket's messages, who blocks its author), so
 * a lookup costs a promise per key and turn rather than one per asker.
 */
export function coalesced<K, A>(
  keyOf: (key: K) => string,
  fetch: (db: Knex, keys: K[]) => Promise<(key: K) => A>,
  perQuery: number,
): (db: Knex, key: K) => Promise<A> {
  const gathering = new WeakMap<Knex, Gathering<K, A>>();

  const run = async (db: Knex, { keys }: Gathering<K, A>): Promise<void> => {
    const all = [...keys.values()];
    for (let i = 0; i < all.length; i += perQuery) {
      const some = all.slice(i, i + perQuery);
      try {
        const answer = await fetch(
          db,
          some.map((k) => k.key),
        );
        for (const asked of some) asked.resolve(answer(asked.key));
      } catch (err) {
        for (const asked of some) asked.reject(err);
      }
    }
  };

  return (db, key) => {
    let now = gathering.get(db);
    if (!now) {
      const fresh: Gathering<K, A> = { keys: new Map() };
      now = fresh;
      gathering.set(db, fresh);
      setImmediate(() => {
        gathering.delete(db);
        void run(db, fresh);
      });
    }
    const id = keyOf(key);
    let asked = now.keys.get(id);
    if (!asked) {
      let resolve!: (answer: A) => void;
      let reject!: (err: unknown) => void;
      const answer = new Promise<A>((yes, no) => {
        resolve = yes;
        reject = no;
      });
      // Awaited by whoever needs it; one nobody awaits in the end (a resend's unused answer) is no
      // unhandled rejection, with no catch of its own per asker.
      answer.catch(() => undefined);
      asked = { key, answer, resolve, reject };
      now.keys.set(id, asked);
    }
    return asked.answer;
  };
}

/** A room and a user in it: the key of the lookups every message to a room asks. */
export interface RoomAndUser {
  room: string;
  userId: number;
}

/**
 * A coalesced lookup by (room, user) pair. Each pair binds two values, so 400 pairs a statement
 * stay under SQLite's oldest limit of 999 bound values.
 */
export function coalescedByRoomAndUser<A>(
  fetch: (db: Knex, pairs: RoomAndUser[]) => Promise<(pair: RoomAndUser) => A>,
): (db: Knex, pair: RoomAndUser) => Promise<A> {
  return coalesced(({ room, userId }) => `${userId}\n${room}`, fetch, 400);
}
