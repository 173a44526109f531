import type { Knex } from 'knex';
import * as audit from '../store/audit.js';
import type { RequestMeta } from './context.js';

/** One audit row for something a request did, stamped with where the request came from. */
export function recordEvent(
  db: Knex,
  type: audit.AuditType,
  userId: number | null,
  at: number,
  meta: RequestMeta,
): Promise<void> {
  return audit.record(db, { user_id: userId, type, at, ip: meta.ip, user_agent: meta.userAgent });
}
