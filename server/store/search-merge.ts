import type { Knex } from 'knex';

/**
 * The search index's upkeep, off the message path (SQLite).
 *
 * FTS5 writes each stored batch of messages as a new segment of its index, and by default merges
 * segments as it goes: an insert that finds four segments at one level merges them before it
 * returns. On a large index such a merge reads and writes a few hundred pages, and the message
 * whose insert set it off waited for it: on a million stored messages a socket `message`'s p99
 * was 2-3x that on ten thousand, with the same median (bench/growth.ts). Migration 025 turns
 * FTS5's automatic merging off, and the merging is done here instead, in steps on the writer
 * (each asks for a few dozen pages), between the writes of the messages rather than inside one.
 *
 * Steps run in quiet moments only: once no message has been stored for QUIET_MS, and while the
 * writer has nothing else to do, one after another while a step finds work; a message stored in
 * between sends the upkeep back to waiting for quiet. A step on a large index takes 1-8 ms (on a
 * million messages; well under one on ten thousand), and cannot be stopped once it runs: steps
 * between the messages of a steady stream held one message in a few dozen for that long. During a
 * stream FTS5's own crisis merge (sixteen segments at a level, inside an insert) bounds the index,
 * as it did with merging off altogether, which gave the stream its best p99 (bench/growth.ts);
 * the quiet that follows merges what is left. Nothing runs on an idle server. PostgreSQL's index
 * needs none of this.
 */

/** Pages of merge work a step asks for (FTS5 stops near it; the time hardly follows it). */
export const MERGE_STEP_PAGES = 32;
/** No message stored for this long: a quiet moment, when steps may run. */
export const QUIET_MS = 250;
/** Between steps while there is work. */
const NEXT_STEP_MS = 20;

interface Upkeep {
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  /** When messages were last stored (performance.now()). */
  lastWriteAt: number;
}

const upkeeps = new WeakMap<Knex, Upkeep>();

/** Notes that messages were stored on `db`: the index will be merged soon, not now. */
export function mergeSoon(db: Knex): void {
  // A transaction's writes are merged after the next plain write; its handle ends with it.
  if (db.client.config.client !== 'sqlite3' || (db as { isTransaction?: boolean }).isTransaction) return;
  let upkeep = upkeeps.get(db);
  if (!upkeep) upkeeps.set(db, (upkeep = { timer: undefined, running: false, lastWriteAt: 0 }));
  // The time only: a timer already set looks again when it fires, rather than one timer per
  // stored batch being cleared and set.
  upkeep.lastWriteAt = performance.now();
  if (!upkeep.running && !upkeep.timer) schedule(db, upkeep, QUIET_MS);
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
  const quietFor = performance.now() - upkeep.lastWriteAt;
  if (quietFor < QUIET_MS) return schedule(db, upkeep, QUIET_MS - quietFor);
  // Writes first: a step waits while the writer has work, so no message waits behind a merge
  // that had not started yet.
  if (writerBusy(db)) return schedule(db, upkeep, NEXT_STEP_MS);
  upkeep.running = true;
  const began = performance.now();
  let merged = false;
  try {
    merged = await mergeStep(db);
  } catch {
    // The database was closed meanwhile, or is busy past its timeout: the next write asks again,
    // and FTS5's crisis merge bounds the index until then.
  } finally {
    upkeep.running = false;
  }
  // Messages stored during the step: their segments are looked at once it is quiet again.
  if (merged || upkeep.lastWriteAt > began) schedule(db, upkeep, NEXT_STEP_MS);
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
