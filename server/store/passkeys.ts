import type { Knex } from 'knex';

/** A registered passkey: the credential's id and public key, never anything secret. */
export interface PasskeyRow {
  id: string;
  user_id: number;
  name: string;
  /** base64url, as the browser names the credential. */
  credential_id: string;
  /** base64url of the COSE public key. */
  public_key: string;
  counter: number;
  /** JSON array of the transports the browser reported (`internal`, `hybrid`, `usb`...). */
  transports: string;
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  created_at: number;
  last_used_at: number | null;
}

export type ChallengePurpose = 'register' | 'login';

export interface PasskeyChallengeRow {
  id: string;
  purpose: ChallengePurpose;
  user_id: number | null;
  owner_key: string;
  /** base64url, as WebAuthn's options carry it. */
  challenge: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

const numberOrNull = (v: unknown): number | null => (v == null ? null : Number(v));

// PostgreSQL returns BIGINT as a string and SQLite booleans as 0/1; the rules compare numbers.
const toPasskey = (row: Record<string, unknown> | undefined): PasskeyRow | undefined =>
  row && {
    id: String(row.id),
    user_id: Number(row.user_id),
    name: String(row.name),
    credential_id: String(row.credential_id),
    public_key: String(row.public_key),
    counter: Number(row.counter),
    transports: String(row.transports),
    device_type: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backed_up: row.backed_up === true || Number(row.backed_up) === 1,
    created_at: Number(row.created_at),
    last_used_at: numberOrNull(row.last_used_at),
  };

const toChallenge = (row: Record<string, unknown> | undefined): PasskeyChallengeRow | undefined =>
  row && {
    id: String(row.id),
    purpose: row.purpose === 'register' ? 'register' : 'login',
    user_id: numberOrNull(row.user_id),
    owner_key: String(row.owner_key),
    challenge: String(row.challenge),
    created_at: Number(row.created_at),
    expires_at: Number(row.expires_at),
    used_at: numberOrNull(row.used_at),
  };

export async function insertPasskey(db: Knex, row: PasskeyRow): Promise<void> {
  await db('passkeys').insert(row);
}

export async function findByCredentialId(db: Knex, credentialId: string): Promise<PasskeyRow | undefined> {
  return toPasskey(await db('passkeys').where({ credential_id: credentialId }).first());
}

/** A user's passkeys, newest first. */
export async function listOfUser(db: Knex, userId: number): Promise<PasskeyRow[]> {
  const rows = await db('passkeys').where({ user_id: userId }).orderBy('created_at', 'desc').orderBy('id');
  return rows.map((r: Record<string, unknown>) => toPasskey(r)!);
}

export async function countOfUser(db: Knex, userId: number): Promise<number> {
  const row = await db('passkeys').where({ user_id: userId }).count({ n: '*' }).first();
  return Number((row as { n?: unknown } | undefined)?.n ?? 0);
}

/** Renames one of the user's passkeys; the row after, or undefined when it is not theirs. */
export async function renamePasskey(
  db: Knex,
  userId: number,
  id: string,
  name: string,
): Promise<PasskeyRow | undefined> {
  if ((await db('passkeys').where({ id, user_id: userId }).update({ name })) === 0) return undefined;
  return toPasskey(await db('passkeys').where({ id }).first());
}

/** Removes one of the user's passkeys; true if it was there. */
export async function removePasskey(db: Knex, userId: number, id: string): Promise<boolean> {
  return (await db('passkeys').where({ id, user_id: userId }).delete()) > 0;
}

/** What the authenticator said at a sign-in: its counter and whether the passkey is backed up now. */
export async function recordUse(
  db: Knex,
  id: string,
  use: { counter: number; deviceType: string; backedUp: boolean; at: number },
): Promise<void> {
  await db('passkeys').where({ id }).update({
    counter: use.counter,
    device_type: use.deviceType,
    backed_up: use.backedUp,
    last_used_at: use.at,
  });
}

export async function webauthnUserIdOf(db: Knex, userId: number): Promise<string | null> {
  const row = await db('users').where({ id: userId }).select('webauthn_user_id').first();
  return row?.webauthn_user_id == null ? null : String(row.webauthn_user_id);
}

/** Sets the user's handle unless one is set already; returns the one in force. */
export async function ensureWebauthnUserId(db: Knex, userId: number, fresh: string): Promise<string> {
  await db('users').where({ id: userId }).whereNull('webauthn_user_id').update({ webauthn_user_id: fresh });
  return (await webauthnUserIdOf(db, userId)) ?? fresh;
}

/**
 * Stores a challenge. Ended ones go first (whoever asks cleans up), and an owner keeps at most
 * `keepPerOwner` live ones, so asking again and again cannot pile up rows.
 */
export async function insertChallenge(
  db: Knex,
  row: PasskeyChallengeRow,
  keepPerOwner: number,
): Promise<void> {
  await db('passkey_challenges').where('expires_at', '<=', row.created_at).delete();
  const older = await db('passkey_challenges')
    .where({ owner_key: row.owner_key })
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .offset(keepPerOwner - 1)
    .limit(1000)
    .select('id');
  if (older.length > 0) {
    await db('passkey_challenges')
      .whereIn(
        'id',
        older.map((r: { id: string }) => r.id),
      )
      .delete();
  }
  await db('passkey_challenges').insert(row);
}

export async function findChallenge(db: Knex, id: string): Promise<PasskeyChallengeRow | undefined> {
  return toChallenge(await db('passkey_challenges').where({ id }).first());
}

/** Marks a challenge used; true only for the one request that did, so it works once. */
export async function useChallenge(db: Knex, id: string, at: number): Promise<boolean> {
  return (await db('passkey_challenges').where({ id }).whereNull('used_at').update({ used_at: at })) > 0;
}

/** For an account's deletion: its passkeys (so the credentials name no one) and its challenges. */
export async function deleteAllOfUser(db: Knex, userId: number): Promise<void> {
  await db('passkey_challenges').where({ user_id: userId }).delete();
  await db('passkeys').where({ user_id: userId }).delete();
}
