import { expect } from 'chai';
import { rawRequest } from '../../helpers/raw-http.js';
import { useServer } from '../../helpers/fixture.js';

const LISTED = 'https://app.example';

/** Security headers that every answer carries, whatever produced it. */
function expectHardened(headers: Record<string, string | string[] | undefined>, what: string): void {
  expect(headers['x-content-type-options'], what).to.equal('nosniff');
  expect(headers['x-frame-options'], what).to.equal('DENY');
  expect(headers['referrer-policy'], what).to.equal('no-referrer');
  expect(String(headers['content-security-policy']), what).to.include("frame-ancestors 'none'");
  expect(headers['x-powered-by'], what).to.equal(undefined);
}

describe('headers and exposure', () => {
  const t = useServer({ env: { CORS_ORIGINS: `${LISTED},https://other.example` } });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    rawRequest(t.url, { method, path, headers });

  it('hardens every kind of answer: page, script, API, errors, unknown paths, Socket.IO', async () => {
    const answers: [string, Awaited<ReturnType<typeof get>>][] = [
      ['page', await get('/')],
      ['script', await get('/app.js')],
      ['device login page', await get('/device')],
      ['device login script', await get('/device.js')],
      ['health', await get('/api/health')],
      ['api 404', await get('/api/nope')],
      ['api 405', await get('/api/login')],
      ['other 404', await get('/nope')],
      ['400', await get('/api/login', { 'content-type': 'application/json' }, 'POST')],
      ['socket.io handshake', await get('/socket.io/?EIO=4&transport=polling')],
      ['socket.io client', await get('/socket.io/socket.io.min.js')],
    ];
    for (const [what, res] of answers) {
      expect(res.status, what).to.be.below(500);
      expectHardened(res.headers, what);
    }
  });

  it('answers CORS only for the listed origins on /api, without credentials', async () => {
    const listed = await get('/api/health', { origin: LISTED });
    expect(listed.headers['access-control-allow-origin']).to.equal(LISTED);
    expect(listed.headers['access-control-allow-credentials']).to.equal(undefined);
    expect(String(listed.headers['vary'])).to.match(/origin/i);
    expect(String(listed.headers['access-control-expose-headers'])).to.include('Retry-After');

    const other = await get('/api/health', { origin: 'https://evil.example' });
    expect(other.status).to.equal(200);
    expect(other.headers['access-control-allow-origin']).to.equal(undefined);

    // Not the page: CORS is for the API only.
    expect((await get('/', { origin: LISTED })).headers['access-control-allow-origin']).to.equal(undefined);
  });

  it('answers a preflight from a listed origin with the methods and headers a client needs, and no other', async () => {
    const preflight = (origin: string) =>
      get(
        '/api/login',
        {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-altcha',
        },
        'OPTIONS',
      );
    const ok = await preflight(LISTED);
    expect(ok.status).to.equal(204);
    expect(ok.headers['access-control-allow-origin']).to.equal(LISTED);
    expect(String(ok.headers['access-control-allow-methods'])).to.include('POST');
    expect(String(ok.headers['access-control-allow-headers'])).to.match(/x-altcha/i);
    expect(String(ok.headers['access-control-allow-headers'])).to.match(/authorization/i);

    const refused = await preflight('https://evil.example');
    expect(refused.headers['access-control-allow-origin']).to.equal(undefined);
    expect(refused.headers['access-control-allow-methods']).to.equal(undefined);
  });

  it('tells nothing about the software: no X-Powered-By, no Server version, no stack in a 404', async () => {
    const res = await get('/api/../../etc/passwd');
    expect(res.headers['x-powered-by']).to.equal(undefined);
    expect(res.headers['server']).to.equal(undefined);
    expect(JSON.stringify(res.body)).to.not.match(/at .*\.(ts|js):\d+/);
  });
});
