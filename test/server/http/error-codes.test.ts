import { expect } from 'chai';
import { ERROR_CODES, type ErrorCode } from '../../../server/protocol.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { newPerson } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

/**
 * Every error answer carries its code with the status of the contract (docs/api.md), which is the
 * status the registry (ERROR_CODES in protocol.ts) gives the code, whichever part of the server
 * refused the request: a rule, a schema, the body parser or the router.
 */
describe('error answers follow the code registry', () => {
  const t = useServer();

  it('answers each kind of failure with its code and the status of the contract and the registry', async () => {
    const p = newPerson('codes');
    expect((await t.signUp(p)).status).to.equal(201);
    const answers: [ErrorCode, number, { status: number; body: any }][] = [
      ['invalid_field', 400, await t.api('POST', '/api/signup', { username: 'x' })],
      ['weak_password', 400, await t.api('POST', '/api/signup', { ...newPerson(), password: 'password' })],
      ['username_taken', 409, await t.api('POST', '/api/signup', { ...newPerson(), username: p.username })],
      ['invalid_code', 400, await t.api('POST', '/api/verify-email', { email: p.email, code: '000000' })],
      [
        'invalid_credentials',
        401,
        await t.api('POST', '/api/login', { username: p.username, password: 'nope-nope-1' }),
      ],
      ['unauthorized', 401, await t.api('GET', '/api/me')],
      ['not_found', 404, await t.api('GET', '/api/no-such-thing')],
      ['method_not_allowed', 405, await t.api('PUT', '/api/login', {})],
      ['malformed_json', 400, await t.rawApi('POST', '/api/login', '{"username":')],
      [
        'unsupported_media_type',
        415,
        await t.rawApi('POST', '/api/login', 'x', { 'content-type': 'text/plain' }),
      ],
      [
        'payload_too_large',
        413,
        await rawRequest(t.url, {
          method: 'POST',
          path: '/api/login',
          headers: { 'content-type': 'application/json', 'content-length': String(17 * 1024) },
          chunks: ['{'],
          end: false,
        }),
      ],
    ];
    for (const [code, status, res] of answers) {
      expect(res.body.code, JSON.stringify(res.body)).to.equal(code);
      expect(res.status, code).to.equal(status);
      expect(ERROR_CODES[code].status, code).to.equal(status);
      expect(res.body.error, code).to.be.a('string').with.length.above(0);
    }
  });
});
