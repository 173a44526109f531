import type { Knex } from 'knex';

/** A personal access token as stored: its hash, never the token. */
export interface AccessTokenRow {
  id: string;
  user_id: number;
  name: string;
  token_hash: string;
  /** Space-separated, as stored; the rules read them as a list. */
  scopes: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  last_used_ip: string | null;
  revoked_at: number | null;
}

const numberOrNull = (v: unknown): number | null => (v == null ? null : Number(v));

// PostgreSQL returns BIGINT as a string; numbers are what the rules compare.
const toToken = (row: Record<string, unknown> | undefined): AccessTokenRow | undefined =>
  row && {
    id: String(row.id),
    user_id: Number(row.user_id),
    name: String(row.name),
    token_hash: String(row.token_hash),
    scopes: String(row.scopes),
    created_at: Number(row.created_at),
    expires_at: numberOrNull(row.expires_at),
    last_used_at: numberOrNull(row.last_used_at),
    last_used_ip: row.last_used_ip == null ? null : String(row.last_used_ip),
    revoked_at: numberOrNull(row.revoked_at),
  };

export async function insertToken(db: Knex, row: AccessTokenRow): Promise<void> {
  await db('access_tokens').insert(row);
}

export async function findByHash(db: Knex, tokenHash: string): Promise<AccessTokenRow | undefined> {
  return toToken(await db('access_tokens').where({ token_hash: tokenHash }).first());
}

export async function findById(db: Knex, id: string): Promise<AccessTokenRow | undefined> {
  return toToken(await db('access_tokens').where({ id }).first());
}

/** Not revoked and not past its expiry at `now`. */
const live = (q: Knex.QueryBuilder, now: number) =>
  q.whereNull('revoked_at').andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', now));

/** A user's live tokens, newest first. */
export async function listLive(db: Knex, userId: number, now: number): Promise<AccessTokenRow[]> {
  const rows = await live(db('access_tokens').where({ user_id: userId }), now)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');
  return rows.map((r: Record<string, unknown>) => toToken(r)!);
}

export async function countLive(db: Knex, userId: number, now: number): Promise<number> {
  const row = await live(db('access_tokens').where({ user_id: userId }), now)
    .count({ n: '*' })
    .first();
  return Number((row as { n?: unknown } | undefined)?.n ?? 0);
}

/** Records a use: when, and from which address. */
export async function touch(db: Knex, id: string, at: number, ip: string | null): Promise<void> {
  await db('access_tokens').where({ id }).update({ last_used_at: at, last_used_ip: ip });
}

/** Revokes one token; true if it was live until now. */
export async function revoke(db: Knex, id: string, at: number): Promise<boolean> {
  return (await db('access_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: at })) > 0;
}

/** Revokes every token of a user; returns the ids that were not revoked before. */
export async function revokeAllOfUser(db: Knex, userId: number, at: number): Promise<string[]> {
  const ids = (await db('access_tokens').where({ user_id: userId }).whereNull('revoked_at').pluck('id')).map(
    String,
  );
  if (ids.length > 0) {
    await db('access_tokens').whereIn('id', ids).whereNull('revoked_at').update({ revoked_at: at });
  }
  return ids;
}

export async function deleteAllOfUser(db: Knex, userId: number): Promise<void> {
  await db('access_tokens').where({ user_id: userId }).delete();
}

/**
 * Holds the user's row until the transaction ends, so two token creations for one user take turns
 * on PostgreSQL and cannot both pass the cap; SQLite's single writer needs no FOR UPDATE.
 */
export async function lockUser(trx: Knex, userId: number): Promise<void> {
  const query = trx('users').where({ id: userId }).select('id');
  if (trx.client.config.client === 'pg') query.forUpdate();
  await query.first();
}

/** Marks the first use; true only for the request that made it, so it is audited once. */
export async function touchFirst(db: Knex, id: string, at: number, ip: string | null): Promise<boolean> {
  return (
    (await db('access_tokens')
      .where({ id })
      .whereNull('last_used_at')
      .update({ last_used_at: at, last_used_ip: ip })) > 0
  );
}
