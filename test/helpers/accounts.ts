import { expect } from 'chai';
import { api, type TestServer } from './server.js';
import type { TestSmtp } from './smtp.js';

export interface Person {
  username: string;
  email: string;
  password: string;
}

/**
 * The sections of GET /api/account/export (docs/api.md), as the REST test and the CLI test both
 * expect them: one list, so a section added to the export is added to both checks at once.
 */
export const EXPORT_SECTIONS = [
  'exported_at',
  'user',
  'sessions',
  'codes',
  'tokens',
  'identities',
  'ssh_keys',
  'passkeys',
  'blocks',
  'read_markers',
  'messages',
  'activity',
] as const;

let counter = 0;

/** A fresh, valid identity; names stay unique within one test process and under 32 characters. */
export function newPerson(prefix = 'user'): Person {
  counter += 1;
  const username = `${prefix}${counter}`;
  return { username, email: `${username}@example.test`, password: `tulip-orbit-${counter}-lantern` };
}

export const signUp = (url: string, p: Person) => api(url, 'POST', '/api/signup', p);

export const logIn = (url: string, username: string, password: string) =>
  api(url, 'POST', '/api/login', { username, password });

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Signs up, reads the code from the captured mail and verifies it: an account that can log in. */
export async function verifiedPerson(url: string, smtp: TestSmtp, prefix = 'user'): Promise<Person> {
  const p = newPerson(prefix);
  expect((await signUp(url, p)).status, 'signup').to.equal(201);
  const code = await smtp.codeFor(p.email);
  expect((await api(url, 'POST', '/api/verify-email', { email: p.email, code })).status, 'verify').to.equal(
    200,
  );
  return p;
}

/** A verified account and a session token for it. */
export async function loggedInPerson(
  url: string,
  smtp: TestSmtp,
  prefix = 'user',
): Promise<Person & { token: string }> {
  const p = await verifiedPerson(url, smtp, prefix);
  const res = await logIn(url, p.username, p.password);
  expect(res.status, 'login').to.equal(200);
  return { ...p, token: res.body.token };
}

export const logOut = (url: string, token: string) =>
  api(url, 'POST', '/api/logout', undefined, bearer(token));

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
