import type { Knex } from 'knex';

export async function block(db: Knex, blockerId: number, blockedId: number, at: number): Promise<void> {
  await db('user_blocks')
    .insert({ blocker_id: blockerId, blocked_id: blockedId, created_at: at })
    .onConflict(['blocker_id', 'blocked_id'])
    .ignore();
}

export async function unblock(db: Knex, blockerId: number, blockedId: number): Promise<void> {
  await db('user_blocks').where({ blocker_id: blockerId, blocked_id: blockedId }).delete();
}

interface BlockersLookup {
  authors: Map<number, { resolve(ids: number[]): void; reject(err: unknown): void }[]>;
}

/** Lookups gathered in the current turn of the event loop, per database handle. */
const gathering = new WeakMap<Knex, BlockersLookup>();

/**
 * The users who block `authorId`: their sockets are left out of the author's room messages.
 *
 * Asked once per message sent, so a busy room asks many times a second; the lookups made in
 * one turn of the event loop go out as one query (`blocked_id IN (...)`), as the message writer
 * batches the inserts they follow. Each lookup still starts after it is asked for, so a block
 * committed before a message is sent is always seen.
 */
export function blockersOf(db: Knex, authorId: number): Promise<number[]> {
  let lookup = gathering.get(db);
  if (!lookup) {
    const fresh: BlockersLookup = { authors: new Map() };
    lookup = fresh;
    gathering.set(db, fresh);
    setImmediate(() => {
      gathering.delete(db);
      void runLookup(db, fresh);
    });
  }
  const waiting = lookup.authors.get(authorId) ?? [];
  lookup.authors.set(authorId, waiting);
  return new Promise<number[]>((resolve, reject) => waiting.push({ resolve, reject }));
}

/** SQLite's oldest limit on bound values per statement is 999. */
const LOOKUP_BATCH = 500;

async function runLookup(db: Knex, lookup: BlockersLookup): Promise<void> {
  const authors = [...lookup.authors.keys()];
  for (let i = 0; i < authors.length; i += LOOKUP_BATCH) {
    const some = authors.slice(i, i + LOOKUP_BATCH);
    try {
      const rows: { blocker_id: unknown; blocked_id: unknown }[] = await db('user_blocks')
        .whereIn('blocked_id', some)
        .select('blocker_id', 'blocked_id');
      const found = new Map<number, number[]>();
      for (const r of rows) {
        const ids = found.get(Number(r.blocked_id)) ?? [];
        ids.push(Number(r.blocker_id));
        found.set(Number(r.blocked_id), ids);
      }
      for (const author of some)
        for (const w of lookup.authors.get(author)!) w.resolve(found.get(author) ?? []);
    } catch (err) {
      for (const author of some) for (const w of lookup.authors.get(author)!) w.reject(err);
    }
  }
}

/** Who `userId` blocks, by name, for the account export. */
export async function blockedBy(
  db: Knex,
  userId: number,
): Promise<{ username: string; created_at: number }[]> {
  const rows: { username: unknown; created_at: unknown }[] = await db('user_blocks')
    .join('users', 'users.id', 'user_blocks.blocked_id')
    .where('user_blocks.blocker_id', userId)
    .orderBy('users.username')
    .select('users.username', 'user_blocks.created_at');
  return rows.map((r) => ({ username: String(r.username), created_at: Number(r.created_at) }));
}
