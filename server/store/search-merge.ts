import type { Knex } from 'knex';

/**
 * The search index's upkeep, off the message path (SQLite).
 *
 * FTS5 writes each stored batch of messages as a new segment of its index, and by default merges
 * segments as it goes: an insert that finds four segments at one level merges them before it
 * returns. On a large index such a merge reads and writes a few hundred pages, and the message
 * whose insert set it off waited for it: on a million stored messages a socket `message`'s p99
 * was 2-3x that on ten thousand, with the same median (bench/growth.ts). Migration 025 turns
 * FTS5's automatic merging off, and the merging is done here instead, in small steps on the
 * writer, each a few dozen pages, between the writes of the messages rather than inside one.
 *
 * After messages are stored (`mergeSoon`), a step runs a moment later when the writer has nothing
 * else to do, and more follow while a step finds work; then the upkeep waits for the next write.
 * Nothing runs on an idle server.
 * Should the steps fall behind a flood, FTS5's own crisis merge (sixteen segments at a level)
 * still bounds the index, as before. PostgreSQL's index needs none of this.
 */

/** Pages of merge work per step: a millisecond or two on the writer. */
export const MERGE_STEP_PAGES = 32;
/** After stored messages, the first step waits this long, so a burst's batches come first. */
const FIRST_STEP_MS = 250;
/** Between steps while there is work: the writes waiting go in between. */
const NEXT_STEP_MS = 20;

interface Upkeep {
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  /** Messages were stored since the step in progress began. */
  again: boolean;
}

const upkeeps = new WeakMap<Knex, Upkeep>();

/** Notes that messages were stored on `db`: the index will be merged soon, not now. */
export function mergeSoon(db: Knex): void {
  // A transaction's writes are merged after the next plain write; its handle ends with it.
  if (db.client.config.client !== 'sqlite3' || (db as { isTransaction?: boolean }).isTransaction) return;
  let upkeep = upkeeps.get(db);
  if (!upkeep) upkeeps.set(db, (upkeep = { timer: undefined, running: false, again: false }));
  if (upkeep.running) upkeep.again = true;
  else if (!upkeep.timer) schedule(db, upkeep, FIRST_STEP_MS);
}

function schedule(db: Knex, upkeep: Upkeep, ms: number): void {
  // Unref'd: the upkeep never keeps a process (a test, `mux1 db`) alive by itself.
  upkeep.timer = setTimeout(() => void step(db, upkeep), ms).unref();
}

/** SQLite's one writer connection is in use, or a query waits for it (Knex's pool, tarn). */
function writerBusy(db: Knex): boolean {
  const pool = (db.client as { pool?: { numUsed(): number; numPendingAcquires(): number } }).pool;
  return pool !== undefined && pool.numUsed() + pool.numPendingAcquires() > 0;
}

async function step(db: Knex, upkeep: Upkeep): Promise<void> {
  upkeep.timer = undefined;
  // Writes first: a step waits while the writer has work, so no message waits behind a merge
  // that had not started yet.
  if (writerBusy(db)) return schedule(db, upkeep, NEXT_STEP_MS);
  upkeep.running = true;
  upkeep.again = false;
  let merged = false;
  try {
    merged = await mergeStep(db);
  } catch {
    // The database was closed meanwhile, or is busy past its timeout: the next write asks again,
    // and FTS5's crisis merge bounds the index until then.
  } finally {
    upkeep.running = false;
  }
  if (merged) schedule(db, upkeep, NEXT_STEP_MS);
  else if (upkeep.again) schedule(db, upkeep, FIRST_STEP_MS);
}

/**
 * One step of merging, in a transaction of its own so the count of changes is this step's: true
 * when it found work, false when no level holds enough segments to merge. The command's own row
 * counts one change; FTS5 documents that a merge which did anything counts at least one more.
 */
export async function mergeStep(db: Knex): Promise<boolean> {
  return db.transaction(async (trx) => {
    const before = await totalChanges(trx);
    await trx.raw(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('merge', ${MERGE_STEP_PAGES})`);
    return (await totalChanges(trx)) - before >= 2;
  });
}

async function totalChanges(trx: Knex.Transaction): Promise<number> {
  const [row] = (await trx.raw('SELECT total_changes() AS n')) as { n: number }[];
  return Number(row?.n ?? 0);
}
