import type { Knex } from 'knex';

interface Waiter<A> {
  resolve(answer: A): void;
  reject(err: unknown): void;
}

interface Gathering<K, A> {
  keys: Map<string, { key: K; waiting: Waiter<A>[] }>;
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
 * answering, and the next turn asks afresh.
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
        for (const { key, waiting } of some) {
          const a = answer(key);
          for (const w of waiting) w.resolve(a);
        }
      } catch (err) {
        for (const { waiting } of some) for (const w of waiting) w.reject(err);
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
    let entry = now.keys.get(id);
    if (!entry) {
      entry = { key, waiting: [] };
      now.keys.set(id, entry);
    }
    const waiting = entry.waiting;
    return new Promise<A>((resolve, reject) => waiting.push({ resolve, reject }));
  };
}
