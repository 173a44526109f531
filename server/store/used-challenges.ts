import type { Knex } from 'knex';
import { isUniqueViolation } from './db.js';

/** Records a used solution; false when it was recorded before (a replay). */
export async function claim(db: Knex, signature: string, expiresAt: number): Promise<boolean> {
  try {
    await db('used_challenges').insert({ signature, expires_at: expiresAt });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** Forgets solutions whose challenge has expired: they are refused for their expiry anyway. */
export async function prune(db: Knex, now: number): Promise<void> {
  await db('used_challenges').where('expires_at', '<=', now).delete();
}
