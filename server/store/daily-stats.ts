import type { Knex } from 'knex';

/*
 * Counts per UTC day (migration 016): added to as things happen, read a row per day asked, so the
 * admin's statistics cost the days asked whatever the number of accounts or messages.
 */

export const DAY_MS = 86_400_000;

export type DayCount = 'signups' | 'verifications' | 'active_users' | 'logins' | 'failed_logins' | 'messages';

export interface DayRow extends Record<DayCount, number> {
  day: string;
}

/** The UTC day of a time, as stored: YYYY-MM-DD. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Midnight UTC of the day holding `ms`. */
export const dayStartOf = (ms: number): number => ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);

/** Adds to a day's counts, making its row on first use: one statement, safe when run at once. */
export async function addToDay(
  db: Knex,
  at: number,
  counts: Partial<Record<DayCount, number>>,
): Promise<void> {
  const entries = Object.entries(counts).filter(([, n]) => n !== undefined && n !== 0) as [
    DayCount,
    number,
  ][];
  if (entries.length === 0) return;
  const merge: Record<string, Knex.Raw> = {};
  for (const [column, n] of entries) merge[column] = db.raw('?? + ?', [`daily_stats.${column}`, n]);
  await db('daily_stats')
    .insert({ day: dayOf(at), ...Object.fromEntries(entries) })
    .onConflict('day')
    .merge(merge);
}

/** The rows of the days from `from` to `to` (YYYY-MM-DD, both included), by the primary key. */
export async function daysBetween(db: Knex, from: string, to: string): Promise<DayRow[]> {
  const rows: Record<string, unknown>[] = await db('daily_stats')
    .whereBetween('day', [from, to])
    .orderBy('day');
  return rows.map((r) => ({
    day: String(r.day),
    signups: Number(r.signups),
    verifications: Number(r.verifications),
    active_users: Number(r.active_users),
    logins: Number(r.logins),
    failed_logins: Number(r.failed_logins),
    messages: Number(r.messages),
  }));
}
