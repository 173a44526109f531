import type { Knex } from 'knex';
import { lastMessageId } from './messages.js';

/*
 * The totals of the admin's statistics, each read from a counter row or an index range whose
 * size is what it counts (admins, disabled accounts, unexpired sessions), never from a scan of
 * every account: the migrations name the indexes (016: users.role, users.disabled_at; 006:
 * sessions.expires_at).
 */

const count = async (query: Knex.QueryBuilder): Promise<number> => {
  const row = (await query.count({ n: '*' }).first()) as { n?: unknown } | undefined;
  return Number(row?.n ?? 0);
};

export async function countTotals(db: Knex, now: number) {
  const verified = await db('counters').where({ name: 'verified_users' }).first('value');
  const roles: { role: string; n: number | string }[] = await db('users')
    .whereIn('role', ['admin', 'moderator'])
    .groupBy('role')
    .select('role')
    .count({ n: '*' });
  const byRole = new Map(roles.map((r) => [r.role, Number(r.n)]));
  return {
    verified_users: Number(verified?.value ?? 0),
    disabled_users: await count(db('users').whereNotNull('disabled_at')),
    admins: byRole.get('admin') ?? 0,
    moderators: byRole.get('moderator') ?? 0,
    // Messages ever stored: ids only grow, so the highest is one index read (deleted ones count).
    messages: await lastMessageId(db),
    live_sessions: await liveSessions(db, now),
  };
}

/** Sessions not revoked and not expired, through the expires_at index. */
export const liveSessions = (db: Knex, now: number): Promise<number> =>
  count(db('sessions').where('expires_at', '>', now).whereNull('revoked_at'));
