import type { Knex } from 'knex';

/*
 * The rows of two-factor sign-in: a user's sealed TOTP secret, their backup codes (hashes) and
 * the logins waiting for a second factor (token hashes). Nothing here is readable without the
 * server key.
 */

export interface TotpSecretRow {
  user_id: number;
  secret_sealed: string;
  last_used_step: number | null;
  created_at: number;
}

export async function findSecret(db: Knex, userId: number): Promise<TotpSecretRow | undefined> {
  const row = await db('totp_secrets').where({ user_id: userId }).first();
  return (
    row && {
      user_id: Number(row.user_id),
      secret_sealed: String(row.secret_sealed),
      last_used_step: row.last_used_step == null ? null : Number(row.last_used_step),
      created_at: Number(row.created_at),
    }
  );
}

/** A new secret replaces any earlier one, which had not been turned on (setup runs only while off). */
export async function replaceSecret(db: Knex, userId: number, sealed: string, at: number): Promise<void> {
  await db('totp_secrets').where({ user_id: userId }).delete();
  await db('totp_secrets').insert({ user_id: userId, secret_sealed: sealed, created_at: at });
}

/**
 * Records that a code of time step `step` was accepted. One conditional UPDATE: of two requests
 * carrying the same code, only one gets true, and a code of an earlier step than the last one
 * accepted is refused too.
 */
export async function useStep(db: Knex, userId: number, step: number): Promise<boolean> {
  const n = await db('totp_secrets')
    .where({ user_id: userId })
    .andWhere((q) => q.whereNull('last_used_step').orWhere('last_used_step', '<', step))
    .update({ last_used_step: step });
  return n === 1;
}

export async function setEnabledAt(db: Knex, userId: number, at: number | null): Promise<void> {
  await db('users').where({ id: userId }).update({ two_factor_enabled_at: at });
}

/** The new backup codes replace every earlier one, used or not. */
export async function replaceBackupCodes(
  db: Knex,
  userId: number,
  hashes: string[],
  at: number,
): Promise<void> {
  await db('backup_codes').where({ user_id: userId }).delete();
  await db('backup_codes').insert(
    hashes.map((code_hash) => ({ user_id: userId, code_hash, created_at: at })),
  );
}

/** Uses the unused backup code with this hash; false when there is none (wrong, or used already). */
export async function useBackupCode(db: Knex, userId: number, hash: string, at: number): Promise<boolean> {
  const n = await db('backup_codes')
    .where({ user_id: userId, code_hash: hash })
    .whereNull('used_at')
    .update({ used_at: at });
  return n === 1;
}

export async function countUnusedBackupCodes(db: Knex, userId: number): Promise<number> {
  const row = await db('backup_codes')
    .where({ user_id: userId })
    .whereNull('used_at')
    .count<{ n: number | string }[]>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

export interface MfaLoginRow {
  id: number;
  user_id: number;
  attempts: number;
  expires_at: number;
  finished_at: number | null;
}

export async function insertMfaLogin(
  db: Knex,
  row: { user_id: number; token_hash: string; created_at: number; expires_at: number },
): Promise<void> {
  await db('mfa_logins').insert(row);
}

export async function findMfaLogin(db: Knex, tokenHash: string): Promise<MfaLoginRow | undefined> {
  const row = await db('mfa_logins').where({ token_hash: tokenHash }).first();
  return (
    row && {
      id: Number(row.id),
      user_id: Number(row.user_id),
      attempts: Number(row.attempts),
      expires_at: Number(row.expires_at),
      finished_at: row.finished_at == null ? null : Number(row.finished_at),
    }
  );
}

/**
 * Counts a wrong code against a pending login, atomically; the try that reaches `max` ends it.
 * False when it had already ended (another request's try reached the count first).
 */
export async function recordWrongCode(db: Knex, id: number, max: number, at: number): Promise<boolean> {
  const n = await db('mfa_logins')
    .where({ id })
    .whereNull('finished_at')
    .where('attempts', '<', max)
    .update({
      attempts: db.raw('attempts + 1'),
      finished_at: db.raw('CASE WHEN attempts + 1 >= ? THEN CAST(? AS BIGINT) ELSE NULL END', [max, at]),
    });
  return n === 1;
}

/** Ends a pending login that succeeded; false when another request ended it first. */
export async function finishMfaLogin(db: Knex, id: number, at: number): Promise<boolean> {
  const n = await db('mfa_logins').where({ id }).whereNull('finished_at').update({ finished_at: at });
  return n === 1;
}

/** Ended or expired pending logins of a user are of no more use; the table stays small. */
export async function pruneMfaLogins(db: Knex, userId: number, now: number): Promise<void> {
  await db('mfa_logins')
    .where({ user_id: userId })
    .andWhere((q) => q.whereNotNull('finished_at').orWhere('expires_at', '<=', now))
    .delete();
}

/** Two-factor sign-in off: the secret, the backup codes and the pending logins go. */
export async function deleteAllOfUser(db: Knex, userId: number): Promise<void> {
  await db('mfa_logins').where({ user_id: userId }).delete();
  await db('backup_codes').where({ user_id: userId }).delete();
  await db('totp_secrets').where({ user_id: userId }).delete();
}
