import type { Knex } from 'knex';

export type CodePurpose = 'verify' | 'reset';

export interface CodeRow {
  id: number;
  user_id: number;
  purpose: CodePurpose;
  code_hash: string;
  attempts: number;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

const toCode = (row: Record<string, unknown> | undefined): CodeRow | undefined =>
  row && {
    id: Number(row.id),
    user_id: Number(row.user_id),
    purpose: row.purpose as CodePurpose,
    code_hash: String(row.code_hash),
    attempts: Number(row.attempts),
    expires_at: Number(row.expires_at),
    used_at: row.used_at == null ? null : Number(row.used_at),
    created_at: Number(row.created_at),
  };

/** A new code replaces every earlier one of the same purpose. */
export async function replaceCode(
  db: Knex,
  code: Omit<CodeRow, 'id' | 'attempts' | 'used_at'>,
): Promise<void> {
  await db('email_codes').where({ user_id: code.user_id, purpose: code.purpose }).delete();
  await db('email_codes').insert(code);
}

/** The newest code of that purpose, used or not. */
export async function latestCode(
  db: Knex,
  userId: number,
  purpose: CodePurpose,
): Promise<CodeRow | undefined> {
  return toCode(await db('email_codes').where({ user_id: userId, purpose }).orderBy('id', 'desc').first());
}

export async function recordWrongTry(db: Knex, id: number, burnAt: number | null): Promise<void> {
  await db('email_codes')
    .where({ id })
    .update({ attempts: db.raw('attempts + 1'), ...(burnAt === null ? {} : { used_at: burnAt }) });
}

/** Marks the code used; false when another request used it first. */
export async function useCode(db: Knex, id: number, at: number): Promise<boolean> {
  const n = await db('email_codes').where({ id }).whereNull('used_at').update({ used_at: at });
  return n === 1;
}

/** What the export shows of a user's codes: when and what for, never the hash. */
export interface CodeSummary {
  purpose: CodePurpose;
  attempts: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export async function listSummariesOfUser(db: Knex, userId: number): Promise<CodeSummary[]> {
  const rows: Record<string, unknown>[] = await db('email_codes')
    .where({ user_id: userId })
    .orderBy('id')
    .select('purpose', 'attempts', 'created_at', 'expires_at', 'used_at');
  return rows.map((row) => ({
    purpose: row.purpose as CodePurpose,
    attempts: Number(row.attempts),
    created_at: Number(row.created_at),
    expires_at: Number(row.expires_at),
    used_at: row.used_at == null ? null : Number(row.used_at),
  }));
}

export async function deleteAllOfUser(db: Knex, userId: number): Promise<void> {
  await db('email_codes').where({ user_id: userId }).delete();
}
