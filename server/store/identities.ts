import type { Knex } from 'knex';

/** A provider account linked to a user (issuer + subject identify it; the email is for show). */
export interface IdentityRow {
  id: number;
  user_id: number;
  provider: string;
  issuer: string;
  subject: string;
  email: string | null;
  created_at: number;
  last_used_at: number | null;
}

const num = (v: unknown): number | null => (v == null ? null : Number(v));

const toIdentity = (row: Record<string, unknown>): IdentityRow => ({
  id: Number(row.id),
  user_id: Number(row.user_id),
  provider: String(row.provider),
  issuer: String(row.issuer),
  subject: String(row.subject),
  email: row.email == null ? null : String(row.email),
  created_at: Number(row.created_at),
  last_used_at: num(row.last_used_at),
});

export async function findIdentity(
  db: Knex,
  issuer: string,
  subject: string,
): Promise<IdentityRow | undefined> {
  const row = await db('identities').where({ issuer, subject }).first();
  return row && toIdentity(row);
}

export async function listIdentities(db: Knex, userId: number): Promise<IdentityRow[]> {
  const rows = await db('identities').where({ user_id: userId }).orderBy('id');
  return rows.map(toIdentity);
}

export async function insertIdentity(db: Knex, row: Omit<IdentityRow, 'id' | 'last_used_at'>): Promise<void> {
  await db('identities').insert({ ...row, last_used_at: row.created_at });
}

export async function touchIdentity(db: Knex, id: number, at: number): Promise<void> {
  await db('identities').where({ id }).update({ last_used_at: at });
}

export async function deleteIdentity(db: Knex, userId: number, id: number): Promise<number> {
  return db('identities').where({ id, user_id: userId }).delete();
}

export async function countIdentities(db: Knex, userId: number): Promise<number> {
  const row = await db('identities').where({ user_id: userId }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Whether the account has a password its owner knows (not one made through a provider). */
export async function hasPassword(db: Knex, userId: number): Promise<boolean> {
  const row = await db('users').where({ id: userId }).first('password_unset');
  return row !== undefined && !row.password_unset;
}

export async function markPasswordUnset(db: Knex, userId: number): Promise<void> {
  await db('users').where({ id: userId }).update({ password_unset: true });
}

/** What the provider said, once its answer was checked. */
export type FlowOutcome = 'signin' | 'signup' | 'email_taken' | 'no_verified_email' | 'linked';

export interface FlowRow {
  state_hash: string;
  provider: string;
  binding_hash: string;
  code_verifier: string;
  nonce: string;
  purpose: 'signin' | 'link';
  user_id: number | null;
  created_at: number;
  expires_at: number;
  state_used_at: number | null;
  ticket_hash: string | null;
  outcome: FlowOutcome | null;
  outcome_user_id: number | null;
  issuer: string | null;
  subject: string | null;
  email: string | null;
  ticket_used_at: number | null;
}

const toFlow = (row: Record<string, unknown>): FlowRow => ({
  state_hash: String(row.state_hash),
  provider: String(row.provider),
  binding_hash: String(row.binding_hash),
  code_verifier: String(row.code_verifier),
  nonce: String(row.nonce),
  purpose: row.purpose === 'link' ? 'link' : 'signin',
  user_id: num(row.user_id),
  created_at: Number(row.created_at),
  expires_at: Number(row.expires_at),
  state_used_at: num(row.state_used_at),
  ticket_hash: row.ticket_hash == null ? null : String(row.ticket_hash),
  outcome: row.outcome == null ? null : (String(row.outcome) as FlowOutcome),
  outcome_user_id: num(row.outcome_user_id),
  issuer: row.issuer == null ? null : String(row.issuer),
  subject: row.subject == null ? null : String(row.subject),
  email: row.email == null ? null : String(row.email),
  ticket_used_at: num(row.ticket_used_at),
});

export async function insertFlow(
  db: Knex,
  row: Pick<
    FlowRow,
    | 'state_hash'
    | 'provider'
    | 'binding_hash'
    | 'code_verifier'
    | 'nonce'
    | 'purpose'
    | 'user_id'
    | 'created_at'
    | 'expires_at'
  >,
): Promise<void> {
  await db('oidc_flows').where('expires_at', '<', row.created_at).delete();
  await db('oidc_flows').insert(row);
}

export async function findFlowByState(db: Knex, stateHash: string): Promise<FlowRow | undefined> {
  const row = await db('oidc_flows').where({ state_hash: stateHash }).first();
  return row && toFlow(row);
}

export async function findFlowByTicket(db: Knex, ticketHash: string): Promise<FlowRow | undefined> {
  const row = await db('oidc_flows').where({ ticket_hash: ticketHash }).first();
  return row && toFlow(row);
}

/** Claims the state once: false when another request used it first. */
export async function useState(db: Knex, stateHash: string, at: number): Promise<boolean> {
  const n = await db('oidc_flows')
    .where({ state_hash: stateHash })
    .whereNull('state_used_at')
    .update({ state_used_at: at });
  return n === 1;
}

export async function recordOutcome(
  db: Knex,
  stateHash: string,
  outcome: Pick<FlowRow, 'ticket_hash' | 'outcome' | 'outcome_user_id' | 'issuer' | 'subject' | 'email'>,
): Promise<void> {
  await db('oidc_flows').where({ state_hash: stateHash }).update(outcome);
}

/** Claims the ticket once: false when it was used already. */
export async function useTicket(db: Knex, ticketHash: string, at: number): Promise<boolean> {
  const n = await db('oidc_flows')
    .where({ ticket_hash: ticketHash })
    .whereNull('ticket_used_at')
    .update({ ticket_used_at: at });
  return n === 1;
}
