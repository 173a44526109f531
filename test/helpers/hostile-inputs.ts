import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { TestServer } from './server.js';

/** Strings that would change a query built by pasting text into SQL. */
export const SQL_INJECTION = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  "admin'--",
  "' UNION SELECT token_hash, 1 FROM sessions --",
  '1; UPDATE users SET email_verified_at = 1; --',
  "%' OR 1=1 --",
  "x'); PRAGMA writable_schema = 1; --",
  "a@b.test' OR 'x'='x",
];

/** Values of every JSON type, and strings a careless parser or database would choke on. */
export const WRONG_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  [],
  [1, 2],
  {},
  { $gt: '' },
  { toString: 'x' },
  '',
  ' ',
  '\u0000',
  'a\u0000b@example.test',
  '\ud800',
  '\u202eevil',
  '💥'.repeat(200),
  'x'.repeat(5000),
];

/** Body texts that are not what a route expects, each sent as application/json. */
export function hostileBodies(valid: Record<string, unknown>): string[] {
  const json = (v: unknown) => JSON.stringify(v);
  const bodies: string[] = [
    // Prototype pollution, spelled every way a JSON body can carry it.
    `{"__proto__":{"polluted":true},${json(valid).slice(1)}`,
    json({ ...valid, constructor: { prototype: { polluted: true } } }),
    json({ ...valid, prototype: { polluted: true } }),
    `{"constructor":{"prototype":{"polluted":true}}}`,
    // Deeply nested, still under 16 KiB.
    '['.repeat(5000) + ']'.repeat(5000),
    json({ ...valid, username: JSON.parse('['.repeat(3000) + ']'.repeat(3000)) }),
    '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
    // Not an object, or not JSON at all.
    'null',
    '"just a string"',
    '12345',
    '[]',
    '{',
    '{"username": "unterminated',
    '\ufeff{}',
    '{"a":1,"a":2}',
  ];
  for (const field of Object.keys(valid)) {
    for (const value of [...WRONG_VALUES, ...SQL_INJECTION]) bodies.push(json({ ...valid, [field]: value }));
    const rest = { ...valid } as Record<string, unknown>;
    delete rest[field];
    bodies.push(json(rest));
  }
  return bodies;
}

/** For each field, the body with that field's text made of bytes that are not valid UTF-8. */
export function invalidUtf8(valid: Record<string, unknown>): Buffer[] {
  const marker = '@@BYTES@@';
  return Object.keys(valid).flatMap((field) =>
    [
      [0xff, 0xfe, 0xfd],
      [0xc0, 0xae, 0xc0, 0xae],
      [0xed, 0xa0, 0x80],
    ].map((bytes) => {
      const [head, tail] = JSON.stringify({ ...valid, [field]: marker }).split(marker) as [string, string];
      return Buffer.concat([
        Buffer.from(head),
        Buffer.from(bytes),
        Buffer.from(String(valid[field])),
        Buffer.from(tail),
      ]);
    }),
  );
}

export const random = (n: number) => randomBytes(n);

/** Row counts of everything a request could write. */
export async function stored(t: TestServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [
    'users',
    'sessions',
    'email_codes',
    'mail_outbox',
    'messages',
    'message_mentions',
    'read_markers',
    'user_blocks',
    'ssh_keys',
    'passkeys',
  ]) {
    out[table] = Number((await t.server.db(table).count({ n: '*' }))[0]!.n);
  }
  return out;
}

/** What a hostile request may get: a 4xx JSON error in the contract's shape, never a 5xx. */
export function expectRefused(
  res: { status: number; headers: Headers | Record<string, unknown>; body: any },
  what: string,
) {
  expect(res.status, `${what}: ${JSON.stringify(res.body)?.slice(0, 200)}`).to.be.within(400, 499);
  expect(res.body, what).to.be.an('object');
  expect(res.body.code, what).to.be.a('string');
  expect(res.body.error, what).to.be.a('string');
}

/** Nothing in the log says the server hit a bug. */
export function expectNoBug(t: TestServer): void {
  const bugs = t.logs.filter((l) => /"level":(50|60)/.test(l) || l.includes('"status":500'));
  expect(bugs, bugs.join('\n').slice(0, 2000)).to.deep.equal([]);
  expect(({} as { polluted?: unknown }).polluted, 'Object.prototype polluted').to.equal(undefined);
}
