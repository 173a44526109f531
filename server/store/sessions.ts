import type { Knex } from 'knex';

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
