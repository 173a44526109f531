import { expect } from 'chai';
import { api } from './server.js';
import type { TestSmtp } from './smtp.js';

export interface Person {
  username: string;
  email: string;
  password: string;
}

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
