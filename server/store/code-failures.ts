import type { Knex } from 'knex';

/** Wrong codes of one account on one day (days since the epoch, UTC). */
export async function countOn(db: Knex, userId: number, day: number): Promise<number> {
  const row = await db('code_failures').where({ user_id: userId, day }).first('failures');
  return Number(row?.failures ?? 0);
}

/** Counts one more wrong code for the day and returns the day's count; earlier days go. */
export async function add(db: Knex, userId: number, day: number): Promise<number> {
  await db('code_failures').where({ user_id: userId }).where('day', '<', day).delete();
  await db('code_failures')
    .insert({ user_id: userId, day, failures: 1 })
    .onConflict(['user_id', 'day'])
    .merge({ failures: db.raw('code_failures.failures + 1') });
  return countOn(db, userId, day);
}

export async function deleteAllOfUser(db: Knex, userId: number): Promise<void> {
  await db('code_failures').where({ user_id: userId }).delete();
}
