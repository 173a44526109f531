import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { rawRequest } from '../../helpers/raw-http.js';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

const KiB = 1024;
const POST_ROUTES = ['/api/signup', '/api/verify-email', '/api/resend-verification', '/api/login'];

describe('REST request bodies: size, type and shape', () => {
  const t = useServer();

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    rawRequest(t.url, {
      method: 'POST',
      path,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...headers,
      },
      chunks: [body],
    });

  /** A JSON object of exactly `bytes` bytes. */
  const jsonOfSize = (bytes: number) => {
    const shell = JSON.stringify({ username: 'ab', pad: '' });
    return JSON.stringify({ username: 'ab', pad: 'x'.repeat(bytes - shell.length) });
  };

  it('answers malformed JSON with 400 malformed_json on every route', async () => {
    for (const path of POST_ROUTES) {
      for (const body of ['{"username":', '{username: "x"}', "{'a':1}", '{"a":1}}', 'nul']) {
        const res = await post(path, body);
        expectError(res, 400, 'malformed_json');
      }
    }
  });

  it('answers a body over 16 KiB with 413, and takes one of exactly 16 KiB', async () => {
    expectError(await post('/api/signup', jsonOfSize(16 * KiB + 1)), 413, 'payload_too_large');
    const atLimit = await post('/api/signup', jsonOfSize(16 * KiB));
    expect(atLimit.status, JSON.stringify(atLimit.body)).to.equal(400);
    expect(atLimit.body.field).to.equal('username');
  });

  it('answers a chunked body over 16 KiB (no Content-Length) with 413', async () => {
    const body = jsonOfSize(64 * KiB);
    const chunks = body.match(/[\s\S]{1,4096}/g)!;
    const res = await rawRequest(t.url, {
      method: 'POST',
      path: '/api/login',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks,
    });
    expectError(res, 413, 'payload_too_large');
  });

  it('answers a huge declared body with 413 before reading it', async () => {
    const res = await rawRequest(t.url, {
      method: 'POST',
      path: '/api/signup',
      headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * KiB) },
      chunks: ['{'],
      end: false,
    });
    expectError(res, 413, 'payload_too_large');
  });

  it('takes a small chunked JSON body', async () => {
    const res = await rawRequest(t.url, {
      method: 'POST',
      path: '/api/resend-verification',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks: ['{"email":', '"someone@example.test"}'],
    });
    expect(res.status).to.equal(200);
  });

  it('answers a body that is not JSON with 415', async () => {
    const body = JSON.stringify(newPerson());
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      expectError(await post('/api/signup', body, { 'content-type': type }), 415, 'unsupported_media_type');
    }
    const untyped = await rawRequest(t.url, {
      method: 'POST',
      path: '/api/signup',
      headers: { 'content-length': String(body.length) },
      chunks: [body],
    });
    expectError(untyped, 415, 'unsupported_media_type');
  });

  it('takes application/json with a charset', async () => {
    const res = await post('/api/signup', JSON.stringify(newPerson()), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.status).to.equal(201);
  });

  it('answers JSON that is not an object with 400, naming no field it cannot', async () => {
    for (const path of POST_ROUTES) {
      for (const body of ['[]', '[{"username":"abc"}]', 'null', '"text"', '42', 'true']) {
        const res = await post(path, body);
        expect(res.status, `${path} ${body}: ${JSON.stringify(res.body)}`).to.equal(400);
        expect(res.body.code).to.be.oneOf(['invalid_field', 'malformed_json']);
      }
    }
  });

  it('answers an empty body with 400 naming the first missing field', async () => {
    expectError(await post('/api/signup', ''), 400, 'invalid_field', 'username');
    expectError(await post('/api/login', '{}'), 400, 'invalid_field', 'username');
    expectError(await post('/api/verify-email', '{}'), 400, 'invalid_field', 'email');
  });

  it('answers strings as long as the body allows with 400 naming the field, quickly', async () => {
    const huge = 'x'.repeat(15 * KiB);
    const started = Date.now();
    for (const field of ['username', 'email', 'password']) {
      const res = await t.api('POST', '/api/signup', { ...newPerson(), [field]: huge });
      expectError(res, 400, 'invalid_field', field);
    }
    expectError(
      await t.api('POST', '/api/login', { username: huge, password: 'x' }),
      400,
      'invalid_field',
      'username',
    );
    expectError(
      await t.api('POST', '/api/login', { username: 'abc', password: huge }),
      400,
      'invalid_field',
      'password',
    );
    expectError(
      await t.api('POST', '/api/verify-email', { email: 'a@b.test', code: huge }),
      400,
      'invalid_field',
      'code',
    );
    expect(Date.now() - started).to.be.below(2000);
  });

  it('refuses a __proto__ key with 400 and pollutes nothing, nor does constructor.prototype', async () => {
    const p = newPerson();
    const fields = `"username":"${p.username}","email":"${p.email}","password":"${p.password}"`;
    expectError(
      await post('/api/signup', `{${fields},"__proto__":{"polluted":true}}`),
      400,
      'malformed_json',
    );
    // Refused, not half-applied: the account does not exist yet.
    expect((await t.api('POST', '/api/signup', p)).status).to.equal(201);
    const other = newPerson();
    const withConstructor = `{"username":"${other.username}","email":"${other.email}","password":"${other.password}","constructor":{"prototype":{"polluted":true}}}`;
    expect((await post('/api/signup', withConstructor)).status).to.be.below(500);
    // The server runs in this process, so a polluted prototype would show here.
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('takes a gzip-compressed body, and counts the 16 KiB after inflating it', async () => {
    const small = gzipSync(JSON.stringify(newPerson()));
    expect((await post('/api/signup', small, { 'content-encoding': 'gzip' })).status).to.equal(201);
    // A few hundred compressed bytes that inflate past the limit.
    const bomb = gzipSync(jsonOfSize(1024 * KiB));
    expect(bomb.length).to.be.below(16 * KiB);
    expectError(await post('/api/signup', bomb, { 'content-encoding': 'gzip' }), 413, 'payload_too_large');
  });

  it('ignores unknown fields', async () => {
    const res = await t.api('POST', '/api/signup', { ...newPerson(), admin: true, id: 1 });
    expect(res.status).to.equal(201);
  });

  it('never answers 5xx to a hostile body, and always answers JSON errors', async () => {
    const bodies: [string, Record<string, string>?][] = [
      ['{"username":{"$gt":""},"password":{"$ne":null}}'],
      ['{"username":"a\\u0000b","email":"a@b.test\\u0000","password":"\\ud800\\ud800\\ud800\\ud800"}'],
      ['{"email":"' + 'a'.repeat(300) + '@b.test"}'],
      ['{"code":"١٢٣٤٥٦","email":"a@b.test"}'],
      ['{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}'],
      ['\u00ef\u00bb\u00bf{}'],
      ['{"username":"abc","password":"12345678"}', { 'content-encoding': 'gzip' }],
      ['{"username":"abc","password":"12345678"}', { 'content-encoding': 'br-nope' }],
      ['{}', { 'content-type': 'application/json; charset=klingon' }],
    ];
    for (const path of POST_ROUTES) {
      for (const [body, headers] of bodies) {
        const res = await post(path, body, headers);
        const what = `${path} ${body.slice(0, 40)} ${JSON.stringify(headers ?? {})}`;
        expect(res.status, `${what}: ${JSON.stringify(res.body)}`).to.be.within(200, 499);
        if (res.status >= 400) {
          expect(res.body.code, what).to.be.a('string');
          expect(res.body.error, what).to.be.a('string');
        }
      }
    }
  });
});

describe('REST routing: unknown paths and wrong methods', () => {
  const t = useServer();

  it('answers an unknown /api path with 404 JSON', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['POST', '/api/signup/extra'],
      ['GET', '/api'],
      ['DELETE', '/api/users/1'],
    ] as const) {
      const res = await t.api(method, path);
      expectError(res, 404, 'not_found');
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
    }
  });

  it('answers a wrong method with 405 JSON and an Allow header', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/api/signup', 'POST'],
      ['PUT', '/api/login', 'POST'],
      ['GET', '/api/verify-email', 'POST'],
      ['GET', '/api/resend-verification', 'POST'],
      ['GET', '/api/logout', 'POST'],
      ['POST', '/api/health', 'GET'],
      ['DELETE', '/api/server-status', 'GET'],
      ['POST', '/api/me', 'GET'],
    ];
    for (const [method, path, allowed] of cases) {
      const res = await t.api(method, path);
      expectError(res, 405, 'method_not_allowed');
      const allow = (res.headers.get('allow') ?? '').split(/,\s*/);
      expect(allow, `${method} ${path}`).to.include(allowed);
      expect(allow, `${method} ${path}`).to.not.include(method);
    }
  });
});
