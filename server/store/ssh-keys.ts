import type { Knex } from 'knex';

/** A registered SSH public key: its blob and fingerprint, never anything secret. */
export interface SshKeyRow {
  id: string;
  user_id: number;
  name: string;
  key_type: string;
  /** Base64 of the key blob, as the middle field of a .pub line. */
  public_key: string;
  /** `SHA256:...`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  bits: number;
  created_at: number;
  last_used_at: number | null;
}

export interface SshChallengeRow {
  id: string;
  user_id: number | null;
  name_key: string;
  nonce: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

const numberOrNull = (v: unknown): number | null => (v == null ? null : Number(v));

// PostgreSQL returns BIGINT as a string; numbers are what the rules compare.
const toKey = (row: Record<string, unknown> | undefined): SshKeyRow | undefined =>
  row && {
    id: String(row.id),
    user_id: Number(row.user_id),
    name: String(row.name),
    key_type: String(row.key_type),
    public_key: String(row.public_key),
    fingerprint: String(row.fingerprint),
    bits: Number(row.bits),
    created_at: Number(row.created_at),
    last_used_at: numberOrNull(row.last_used_at),
  };

const toChallenge = (row: Record<string, unknown> | undefined): SshChallengeRow | undefined =>
  row && {
    id: String(row.id),
    user_id: numberOrNull(row.user_id),
    name_key: String(row.name_key),
    nonce: String(row.nonce),
    created_at: Number(row.created_at),
    expires_at: Number(row.expires_at),
    used_at: numberOrNull(row.used_at),
  };

export async function insertKey(db: Knex, row: SshKeyRow): Promise<void> {
  await db('ssh_keys').insert(row);
}

export async function findByFingerprint(db: Knex, fingerprint: string): Promise<SshKeyRow | undefined> {
  return toKey(await db('ssh_keys').where({ fingerprint }).first());
}

export async function findById(db: Knex, id: string): Promise<SshKeyRow | undefined> {
  return toKey(await db('ssh_keys').where({ id }).first());
}

/** A user's keys, newest first. */
export async function listOfUser(db: Knex, userId: number): Promise<SshKeyRow[]> {
  const rows = await db('ssh_keys').where({ user_id: userId }).orderBy('created_at', 'desc').orderBy('id');
  return rows.map((r: Record<string, unknown>) => toKey(r)!);
}

export async function countOfUser(db: Knex, userId: number): Promise<number> {
  const row = await db('ssh_keys').where({ user_id: userId }).count({ n: '*' }).first();
  return Number((row as { n?: unknown } | undefined)?.n ?? 0);
}

/** Removes one of the user's keys; true if it was there. */
export async function removeKey(db: Knex, userId: number, id: string): Promise<boolean> {
  return (await db('ssh_keys').where({ id, user_id: userId }).delete()) > 0;
}

export async function touchKey(db: Knex, id: string, at: number): Promise<void> {
  await db('ssh_keys').where({ id }).update({ last_used_at: at });
}

/** When the account let an SSH-key login stand in for both factors; null: it counts as one. */
export async function bothFactorsSince(db: Knex, userId: number): Promise<number | null> {
  const row = await db('users').where({ id: userId }).select('ssh_key_both_factors_at').first();
  return numberOrNull(row?.ssh_key_both_factors_at);
}

export async function setBothFactors(db: Knex, userId: number, since: number | null): Promise<void> {
  await db('users').where({ id: userId }).update({ ssh_key_both_factors_at: since });
}

/**
 * Stores a challenge. Ended ones go first (whoever asks cleans up), and a name keeps at most
 * `keepPerName` live ones, so asking again and again for one name cannot pile up rows.
 */
export async function insertChallenge(db: Knex, row: SshChallengeRow, keepPerName: number): Promise<void> {
  await db('ssh_login_challenges').where('expires_at', '<=', row.created_at).delete();
  const older = await db('ssh_login_challenges')
    .where({ name_key: row.name_key })
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .offset(keepPerName - 1)
    .limit(1000)
    .select('id');
  if (older.length > 0) {
    await db('ssh_login_challenges')
      .whereIn(
        'id',
        older.map((r: { id: string }) => r.id),
      )
      .delete();
  }
  await db('ssh_login_challenges').insert(row);
}

export async function findChallenge(db: Knex, id: string): Promise<SshChallengeRow | undefined> {
  return toChallenge(await db('ssh_login_challenges').where({ id }).first());
}

/** Marks a challenge used; true only for the one request that did, so it works once. */
export async function useChallenge(db: Knex, id: string, at: number): Promise<boolean> {
  return (await db('ssh_login_challenges').where({ id }).whereNull('used_at').update({ used_at: at })) > 0;
}

/** For an account's deletion: its keys (so another account may register them) and its challenges. */
export async function deleteAllOfUser(db: Knex, userId: number): Promise<void> {
  await db('ssh_login_challenges').where({ user_id: userId }).delete();
  await db('ssh_keys').where({ user_id: userId }).delete();
}
