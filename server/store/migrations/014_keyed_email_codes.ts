import type { Knex } from 'knex';

/**
 * Mailed codes are now stored as keyed hashes (HMAC-SHA-256 under SECRET_KEY) instead of plain
 * SHA-256. A plain hash cannot be turned into a keyed one without the code, so the codes issued
 * before are voided rather than kept checkable the old way: every stored hash is erased, and a
 * code still live expires now. Its owner asks for a new one, which is allowed at once, since a
 * voided code is not a fresh one (docs/security.md, "Verification and reset codes").
 */
export async function up(knex: Knex): Promise<void> {
  const now = Date.now();
  await knex('email_codes').whereNull('used_at').where('expires_at', '>', now).update({ expires_at: now });
  await knex('email_codes').update({ code_hash: '' });
}

/** Nothing to restore: the erased hashes are gone, and the voided codes stay void. */
export async function down(): Promise<void> {}
