import { api, type TestServer } from './server.js';
import { bearer } from './accounts.js';
import type { TestSmtp } from './smtp.js';

/** A REST call as the holder of `token`. */
export const as =
  (t: TestServer, token: string) =>
  (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    api(t.url, method, path, body, { ...bearer(token), ...headers });

export const forgot = (t: TestServer, email: string, headers: Record<string, string> = {}) =>
  api(t.url, 'POST', '/api/password/forgot', { email }, headers);

export const reset = (t: TestServer, body: { email: string; code: string; password: string }) =>
  api(t.url, 'POST', '/api/password/reset', body);

/** Asks for a reset code and reads it from the mail that arrives. */
export async function resetCode(t: TestServer, smtp: TestSmtp, email: string): Promise<string> {
  const before = smtp.codeCount(email);
  const res = await forgot(t, email);
  if (res.status !== 200) throw new Error(`forgot answered ${res.status}: ${JSON.stringify(res.body)}`);
  return smtp.codeFor(email, { after: before });
}

/** A 6-digit code that is not `code`. */
export const otherCode = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** The types of a user's audit events, oldest first, read from the database. */
export async function auditTypes(t: TestServer, userId: number): Promise<string[]> {
  const rows = await t.server.db('audit_events').where({ user_id: userId }).orderBy('id').select('type');
  return rows.map((r: { type: string }) => r.type);
}

export async function userIdOf(t: TestServer, username: string): Promise<number> {
  const row = await t.server.db('users').where({ username }).first();
  if (!row) throw new Error(`no user ${username}`);
  return Number(row.id);
}
