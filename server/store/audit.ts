import type { Knex } from 'knex';

export type AuditType =
  | 'signup'
  | 'signup_existing_email'
  | 'email_verified'
  | 'verification_failed'
  | 'verification_resent'
  | 'login'
  | 'login_failed'
  | 'login_locked'
  | 'logout';

export interface AuditEvent {
  user_id: number | null;
  type: AuditType;
  at: number;
  ip: string | null;
  user_agent: string | null;
}

export async function record(db: Knex, event: AuditEvent): Promise<void> {
  await db('audit_events').insert(event);
}
