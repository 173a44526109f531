import type { Knex } from 'knex';

/** A device login waiting for, or given, its approval (migration 017). */
export interface DeviceCodeRow {
  id: number;
  device_code_hash: string;
  user_code_hash: string;
  client_name: string;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  expires_at: number;
  interval_s: number;
  last_polled_at: number | null;
  user_id: number | null;
  approved_at: number | null;
  denied_at: number | null;
  consumed_at: number | null;
}

const num = (v: unknown): number | null => (v == null ? null : Number(v));

const toRow = (row: Record<string, unknown> | undefined): DeviceCodeRow | undefined =>
  row && {
    id: Number(row.id),
    device_code_hash: String(row.device_code_hash),
    user_code_hash: String(row.user_code_hash),
    client_name: String(row.client_name),
    ip: row.ip == null ? null : String(row.ip),
    user_agent: row.user_agent == null ? null : String(row.user_agent),
    created_at: Number(row.created_at),
    expires_at: Number(row.expires_at),
    interval_s: Number(row.interval_s),
    last_polled_at: num(row.last_polled_at),
    user_id: num(row.user_id),
    approved_at: num(row.approved_at),
    denied_at: num(row.denied_at),
    consumed_at: num(row.consumed_at),
  };

export type NewDeviceCode = Pick<
  DeviceCodeRow,
  | 'device_code_hash'
  | 'user_code_hash'
  | 'client_name'
  | 'ip'
  | 'user_agent'
  | 'created_at'
  | 'expires_at'
  | 'interval_s'
>;

export async function insert(db: Knex, row: NewDeviceCode): Promise<void> {
  await db('device_codes').insert(row);
}

/** Rows past their end that nobody decided: nothing can come of them any more. */
export async function pruneExpired(db: Knex, now: number): Promise<void> {
  await db('device_codes').where('expires_at', '<=', now).whereNull('user_id').delete();
}

export async function findByDeviceCodeHash(db: Knex, hash: string): Promise<DeviceCodeRow | undefined> {
  return toRow(await db('device_codes').where({ device_code_hash: hash }).first());
}

export async function findByUserCodeHash(db: Knex, hash: string): Promise<DeviceCodeRow | undefined> {
  return toRow(await db('device_codes').where({ user_code_hash: hash }).first());
}

/**
 * Records a poll at `now` when the last one was at least the row's interval ago; false when it
 * was sooner (then nothing is recorded but a longer interval). One conditional update, so two
 * polls at once cannot both pass.
 */
export async function claimPoll(db: Knex, id: number, now: number, slowDownS: number): Promise<boolean> {
  const passed = await db('device_codes')
    .where({ id })
    .where((q) => q.whereNull('last_polled_at').orWhereRaw('last_polled_at + interval_s * 1000 <= ?', [now]))
    .update({ last_polled_at: now });
  if (passed > 0) return true;
  await db('device_codes')
    .where({ id })
    .update({ interval_s: db.raw('interval_s + ?', [slowDownS]), last_polled_at: now });
  return false;
}

/** Sets the decision once: false when the code was decided already (by another tab, say). */
export async function decide(
  db: Knex,
  id: number,
  userId: number,
  approve: boolean,
  now: number,
): Promise<boolean> {
  const changed = await db('device_codes')
    .where({ id })
    .whereNull('user_id')
    .update({ user_id: userId, [approve ? 'approved_at' : 'denied_at']: now });
  return changed > 0;
}

/** Marks an approved code as traded for its session, once: false when it already was. */
export async function consume(db: Knex, id: number, now: number): Promise<boolean> {
  const changed = await db('device_codes')
    .where({ id })
    .whereNull('consumed_at')
    .update({ consumed_at: now });
  return changed > 0;
}

export async function deleteAllOfUser(db: Knex, userId: number): Promise<void> {
  await db('device_codes').where({ user_id: userId }).delete();
}
