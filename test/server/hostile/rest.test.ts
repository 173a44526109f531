import { expect } from 'chai';
import { bearer, newPerson } from '../../helpers/accounts.js';
import { rawRequest } from '../../helpers/raw-http.js';
import {
  invalidUtf8,
  SQL_INJECTION,
  expectNoBug,
  expectRefused,
  hostileBodies,
  random,
  stored,
} from '../../helpers/hostile-inputs.js';
import { useServer } from '../../helpers/fixture.js';

let octet = 0;
/** Each request from its own address, so the per-address limits do not stand in for validation. */
const fresh = () => ({
  'x-forwarded-for': `10.${(octet >> 16) & 255}.${(octet >> 8) & 255}.${octet++ & 255}`,
});

const VICTIM = {
  username: 'hostilevictim',
  email: 'hostilevictim@example.test',
  password: 'victim pass phrase 1',
};

/**
 * Every REST route with a body, and a well-formed body for it that still changes nothing (a
 * taken username, a wrong code or password), so any write would be the hostile part's doing.
 */
const BODY_ROUTES: { path: string; method: string; body: Record<string, unknown>; auth?: boolean }[] = [
  {
    method: 'POST',
    path: '/api/signup',
    body: { username: VICTIM.username, email: 'fuzzed@example.test', password: 'a fine pass phrase' },
  },
  { method: 'POST', path: '/api/verify-email', body: { email: 'fuzzed@example.test', code: '123456' } },
  { method: 'POST', path: '/api/resend-verification', body: { email: 'fuzzed@example.test' } },
  { method: 'POST', path: '/api/login', body: { username: 'fuzzed', password: 'not the password' } },
  { method: 'POST', path: '/api/password/forgot', body: { email: 'fuzzed@example.test' } },
  {
    method: 'POST',
    path: '/api/password/reset',
    body: { email: 'fuzzed@example.test', code: '123456', password: 'another pass phrase' },
  },
  {
    method: 'POST',
    path: '/api/password/change',
    body: { current_password: 'wrong one here', password: 'another pass phrase' },
    auth: true,
  },
  { method: 'DELETE', path: '/api/account', body: { password: 'wrong one here' }, auth: true },
];

const ALL_ROUTES: [string, string, boolean][] = [
  ['GET', '/api/health', false],
  ['GET', '/api/server-status', false],
  ['GET', '/api/challenge', false],
  ['POST', '/api/logout', true],
  ['GET', '/api/me', true],
  ['GET', '/api/sessions', true],
  ['POST', '/api/sessions/revoke-others', true],
  ['DELETE', '/api/sessions/0123456789abcdef0123456789abcdef', true],
  ['GET', '/api/account/activity', true],
  ['GET', '/api/account/export', true],
  ...BODY_ROUTES.map((r): [string, string, boolean] => [r.method, r.path, Boolean(r.auth)]),
];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'application/xml',
  '',
];

/**
 * Hostile input on every REST route: SQL injection, prototype pollution, deep nesting, wrong
 * types, huge and invalid text, random bytes under every content type, bad tokens and headers.
 * Each gets a 4xx JSON answer; nothing is stored; the log shows no bug; the server stays up.
 */
describe('hostile input: REST', function () {
  this.timeout(120_000);
  let token: string;
  let baseline: Record<string, number>;
  const t = useServer({ env: { TRUST_PROXY: '1', LIMIT_SIGNUPS_PER_10MIN: '1000' } });

  before(async () => {
    expect((await t.signUp(VICTIM)).status).to.equal(201);
    await t.db('users').where({ username: VICTIM.username }).update({ email_verified_at: Date.now() });
    const login = await t.api('POST', '/api/login', {
      username: VICTIM.username,
      password: VICTIM.password,
    });
    token = login.body.token;
    baseline = await stored(t);
  });

  it('refuses malformed, mistyped, polluting and injecting bodies on every route', async () => {
    for (const route of BODY_ROUTES) {
      for (const body of hostileBodies(route.body)) {
        const headers = { ...fresh(), ...(route.auth ? bearer(token) : {}) };
        const res = await t.rawApi(route.method, route.path, body, headers);
        // Some injections are well-formed requests (an email address may hold a quote): those
        // are answered as for any unknown address (200 from resend and forgot); the rest refused.
        if (res.status === 200 && /resend|forgot/.test(route.path)) continue;
        expectRefused(res, `${route.method} ${route.path} ${body.slice(0, 80)}`);
      }
    }
    expect(await stored(t)).to.deep.equal(baseline);
    expectNoBug(t);
  });

  it('refuses random bytes under every content type, and bytes that are not UTF-8', async () => {
    for (const route of BODY_ROUTES) {
      for (const type of CONTENT_TYPES) {
        for (const size of [1, 100, 4000]) {
          const res = await rawRequest(t.url, {
            method: route.method,
            path: route.path,
            headers: {
              ...(type ? { 'content-type': type } : {}),
              'content-length': String(size),
              ...fresh(),
            },
            chunks: [random(size)],
          });
          expectRefused({ ...res, headers: {} }, `${route.path} ${type} ${size} bytes`);
        }
      }
      for (const bytes of invalidUtf8(route.body)) {
        const res = await rawRequest(t.url, {
          method: route.method,
          path: route.path,
          headers: {
            'content-type': 'application/json',
            'content-length': String(bytes.length),
            ...fresh(),
            ...(route.auth ? bearer(token) : {}),
          },
          chunks: [bytes],
        });
        expectRefused({ ...res, headers: {} }, `${route.path} invalid UTF-8`);
      }
      for (const encoding of ['gzip', 'deflate', 'br', 'bogus']) {
        const res = await rawRequest(t.url, {
          method: route.method,
          path: route.path,
          headers: {
            'content-type': 'application/json',
            'content-encoding': encoding,
            'content-length': '300',
            ...fresh(),
          },
          chunks: [random(300)],
        });
        expectRefused({ ...res, headers: {} }, `${route.path} ${encoding} of random bytes`);
      }
    }
    expect(await stored(t)).to.deep.equal(baseline);
    expectNoBug(t);
  });

  it('refuses hostile tokens, ids and query strings on every route', async () => {
    const tokens = [
      ...SQL_INJECTION,
      'x'.repeat(8000),
      '\u00ff\u00fe',
      `${token}' OR '1'='1`,
      `${token}\u0000`,
      '',
    ];
    for (const [method, path, auth] of ALL_ROUTES) {
      if (!auth) continue;
      for (const bad of tokens) {
        const res = await t.rawApi(method, path, undefined, {
          authorization: `Bearer ${encodeURI(bad)}`,
          ...fresh(),
        });
        expectRefused(res, `${method} ${path} with token ${bad.slice(0, 40)}`);
      }
    }
    for (const id of [...SQL_INJECTION, '..%2f..%2fetc%2fpasswd', '%00', '0'.repeat(5000), '-1', '1e308']) {
      const res = await t.rawApi(
        'DELETE',
        `/api/sessions/${encodeURIComponent(id)}`,
        undefined,
        bearer(token),
      );
      expectRefused(res, `DELETE /api/sessions/${id.slice(0, 40)}`);
    }
    for (const query of [
      'before=1;DROP TABLE users',
      'limit=-1',
      'limit=1e9',
      'before=abc',
      'limit[]=1&limit[]=2',
      'before=%00',
      'limit=' + '9'.repeat(400),
    ]) {
      const res = await t.rawApi('GET', `/api/account/activity?${query}`, undefined, bearer(token));
      expect(res.status, query).to.be.oneOf([200, 400]);
      if (res.status === 400) expectRefused(res, query);
    }
    // The session that was attacked still works, and nothing else changed.
    expect((await t.api('GET', '/api/me', undefined, bearer(token))).status).to.equal(200);
    expect(await stored(t)).to.deep.equal(baseline);
    expectNoBug(t);
  });

  it('survives huge and odd headers on every route', async () => {
    for (const [method, path] of ALL_ROUTES) {
      const odd = await rawRequest(t.url, {
        method,
        path,
        headers: {
          'x-request-id': '<script>' + 'x'.repeat(200),
          'x-altcha': 'A'.repeat(12_000),
          'x-forwarded-for': SQL_INJECTION.join(', '),
          'user-agent': '\u00ff'.repeat(2000),
          origin: 'null',
        },
      });
      expect(odd.status, `${method} ${path}`).to.be.below(500);
      // Replaced by one of the server's own: a process prefix and a counter.
      expect(odd.headers['x-request-id']).to.match(/^[0-9a-f]{12}-[0-9a-z]+$/);
      // Past Node's 16 KiB header limit the answer comes from Node itself: 431, no JSON.
      const huge = await rawRequest(t.url, { method, path, headers: { 'x-filler': 'a'.repeat(20_000) } });
      expect(huge.status, `${method} ${path} huge header`).to.equal(431);
    }
    expect((await t.api('GET', '/api/health')).status).to.equal(200);
    expectNoBug(t);
  });

  it('keeps an injection string that is a valid password as plain data', async () => {
    const p = { ...newPerson('literal'), password: "'; DROP TABLE users; -- x" };
    expect((await t.api('POST', '/api/signup', p, fresh())).status).to.equal(201);
    await t.db('users').where({ username: p.username }).update({ email_verified_at: Date.now() });
    const res = await t.api('POST', '/api/login', { username: p.username, password: p.password }, fresh());
    expect(res.status).to.equal(200);
    expect(
      (await t.api('POST', '/api/login', { username: p.username, password: "' OR '1'='1" }, fresh())).status,
    ).to.equal(401);
    expect(Number((await t.db('users').count({ n: '*' }))[0]!.n)).to.equal(baseline.users! + 1);
  });

  it('refuses usernames that only look like ASCII, and gives no second account to a look-alike', async () => {
    const alice = newPerson('alice');
    expect((await t.api('POST', '/api/signup', alice, fresh())).status).to.equal(201);
    const lookalikes = [
      alice.username.replace('a', '\u0430'), // Cyrillic a
      alice.username.replace('e', '\u0435'), // Cyrillic e
      alice.username.replace(/./g, (c) => String.fromCodePoint(c.charCodeAt(0) + 0xfee0)), // fullwidth
      alice.username.replace('i', '\u0131'), // dotless i
      `${alice.username}\u200b`, // zero-width space
      `\u202e${alice.username}`, // right-to-left override
      alice.username.toUpperCase(),
      ` ${alice.username} `,
    ];
    for (const username of lookalikes) {
      const res = await t.api('POST', '/api/signup', { ...newPerson('look'), username }, fresh());
      expect(res.status, JSON.stringify(username)).to.be.oneOf([400, 409]);
      expectRefused(res, JSON.stringify(username));
    }
    const users = (await t.db('users').pluck('username')) as string[];
    expect(users.filter((u) => u.normalize('NFKC').toLowerCase().includes('alice'))).to.deep.equal([
      alice.username,
    ]);
    expect(users.every((u) => /^[a-z0-9_.-]+$/.test(u))).to.equal(true);
  });
});
