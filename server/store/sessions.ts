import type { Knex } from 'knex';
import { jsonRows, type JsonRows } from './json-pages.js';

export interface SessionRow {
  id: string;
  user_id: number;
  token_hash: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  user_agent: string | null;
  ip: string | null;
  revoked_at: number | null;
}

const toSession = (row: Record<string, unknown> | undefined): SessionRow | undefined =>
  row && {
    id: String(row.id),
    user_id: Number(row.user_id),
    token_hash: String(row.token_hash),
    created_at: Number(row.created_at),
    expires_at: Number(row.expires_at),
    last_seen_at: Number(row.last_seen_at),
    user_agent: row.user_agent == null ? null : String(row.user_agent),
    ip: row.ip == null ? null : String(row.ip),
    revoked_at: row.revoked_at == null ? null : Number(row.revoked_at),
  };

export async function insertSession(db: Knex, session: Omit<SessionRow, 'revoked_at'>): Promise<void> {
  await db('sessions').insert(session);
}

export async function findByTokenHash(db: Knex, tokenHash: string): Promise<SessionRow | undefined> {
  return toSession(await db('sessions').where({ token_hash: tokenHash }).first());
}

export async function touch(db: Knex, id: string, at: number): Promise<void> {
  await db('sessions').where({ id }).update({ last_seen_at: at });
}

export async function revoke(db: Knex, id: string, at: number): Promise<void> {
  await db('sessions').where({ id }).whereNull('revoked_at').update({ revoked_at: at });
}

export async function findById(db: Knex, id: string): Promise<SessionRow | undefined> {
  return toSession(await db('sessions').where({ id }).first());
}

/** Where a page of sessions ends: the order's columns of its last row. */
export interface SessionPosition {
  last_seen_at: number;
  created_at: number;
  id: string;
}

/**
 * The sessions of a user that a token could still use: not revoked, before their absolute end,
 * and used since `idleSince` (the same tests authenticateToken applies), most recently used first,
 * `limit` of them after `after`. The order is the index's (user_id, last_seen_at, created_at, id),
 * so a page reads only its own rows however many sessions the user has.
 */
export async function listLive(
  db: Knex,
  userId: number,
  now: number,
  idleSince: number,
  page: { after?: SessionPosition; limit?: number } = {},
): Promise<SessionRow[]> {
  const query = db('sessions')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', idleSince)
    .orderBy([
      { column: 'last_seen_at', order: 'desc' },
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  const { after, limit } = page;
  if (after) {
    query.whereRaw('(last_seen_at, created_at, id) < (?, ?, ?)', [
      after.last_seen_at,
      after.created_at,
      after.id,
    ]);
  }
  if (limit !== undefined) query.limit(limit);
  const rows: Record<string, unknown>[] = await query;
  return rows.map((row) => toSession(row)!);
}

/** Every session row of a user, ended ones too, oldest first: for the account export. */
export async function listAllOfUser(db: Knex, userId: number): Promise<SessionRow[]> {
  const rows: Record<string, unknown>[] = await db('sessions')
    .where({ user_id: userId })
    .orderBy('created_at');
  return rows.map((row) => toSession(row)!);
}

/**
 * All of a user's sessions, ended ones too while their rows are kept, oldest first, as the
 * account export shows them, written as JSON by the database: one read however many there are
 * (SESSIONS_PER_USER_MAX live ones, and those ended within the retention).
 */
export function exportOfUser(db: Knex, userId: number, currentId: string): Promise<JsonRows> {
  return jsonRows(
    db,
    db('sessions').where({ user_id: userId }),
    {
      id: 'id',
      created_at: { time: 'created_at' },
      last_seen_at: { time: 'last_seen_at' },
      expires_at: { time: 'expires_at' },
      user_agent: 'user_agent',
      ip: 'ip',
      current: { is: 'id', equalTo: currentId },
      revoked_at: { time: 'revoked_at' },
    },
    [
      ['created_at', 'asc'],
      ['id', 'asc'],
    ],
  );
}

/**
 * Revokes every unrevoked session of a user except `keepId`, expired and idle ones too (a later,
 * longer SESSION_IDLE_DAYS must not bring one back), and returns the rows it revoked.
 */
export async function revokeAllOfUser(
  db: Knex,
  userId: number,
  at: number,
  keepId?: string,
): Promise<SessionRow[]> {
  const query = db('sessions').where({ user_id: userId }).whereNull('revoked_at');
  if (keepId !== undefined) query.whereNot({ id: keepId });
  const rows = ((await query) as Record<string, unknown>[]).map((row) => toSession(row)!);
  if (rows.length > 0) {
    await db('sessions')
      .whereIn(
        'id',
        rows.map((r) => r.id),
      )
      .whereNull('revoked_at')
      .update({ revoked_at: at });
  }
  return rows;
}

export async function deleteAllOfUser(db: Knex, userId: number): Promise<void> {
  await db('sessions').where({ user_id: userId }).delete();
}

/**
 * Ids of a user's live sessions (as listLive judges them) past the newest `keep`, oldest first:
 * the ones a cap on sessions per user ends.
 */
export async function liveBeyond(
  db: Knex,
  userId: number,
  now: number,
  idleSince: number,
  keep: number,
): Promise<string[]> {
  const rows: { id: string }[] = await db('sessions')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', idleSince)
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .offset(keep)
    .limit(1000)
    .select('id');
  return rows.map((r) => String(r.id));
}
