import { expect } from 'chai';
import { rawRequest, type RawResponse } from '../../helpers/raw-http.js';
import { useServer } from '../../helpers/fixture.js';

const LISTED = 'https://app.example';

/** The headers every API answer carries. */
function expectApiHeaders(res: RawResponse, what: string): void {
  expect(res.headers['cache-control'], what).to.equal('no-store');
  expect(res.headers['content-type'], what).to.equal('application/json; charset=utf-8');
  expect(res.headers['x-content-type-options'], what).to.equal('nosniff');
  expect(res.headers['x-frame-options'], what).to.equal('DENY');
  expect(res.headers['referrer-policy'], what).to.equal('no-referrer');
  expect(res.headers['cross-origin-resource-policy'], what).to.equal('same-origin');
  expect(res.headers['content-security-policy'], what).to.equal("default-src 'none';frame-ancestors 'none'");
  // Plain HTTP: HSTS only goes out over TLS (test/server/http/tls.test.ts).
  expect(res.headers['strict-transport-security'], what).to.equal(undefined);
  expect(res.headers['vary'], what).to.match(/origin/i);
  expect(res.headers['x-request-id'], what).to.be.a('string').and.not.equal('');
}

/**
 * GET /api/health as load balancers and orchestrators probe it: often, without an Origin. It is
 * answered by the one Koa route, through the same edge as every API answer.
 */
describe('GET /api/health as a probe sees it', () => {
  const t = useServer({ env: { CORS_ORIGINS: LISTED } });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET', chunks?: string[]) =>
    rawRequest(t.url, { method, path, headers, chunks });

  it('answers a probe exactly as it answers a page from a listed origin', async () => {
    const probe = await get('/api/health');
    const page = await get('/api/health', { origin: LISTED });
    for (const [what, res] of [
      ['probe', probe],
      ['page', page],
    ] as const) {
      expect(res.status, what).to.equal(200);
      expect(Object.keys(res.body).sort(), what).to.deep.equal(['database', 'status', 'uptime_s', 'version']);
      expect(res.body, what).to.include({ status: 'healthy', database: 'healthy' });
      expectApiHeaders(res, what);
    }
    expect(probe.body.version).to.equal(page.body.version);
    // Only the page's answer is readable cross-origin: the probe had no Origin to answer to.
    expect(page.headers['access-control-allow-origin']).to.equal(LISTED);
    expect(probe.headers['access-control-allow-origin']).to.equal(undefined);
    expect(Number(probe.headers['content-length'])).to.equal(Buffer.byteLength(JSON.stringify(probe.body)));
  });

  it('keeps a plain X-Request-Id and replaces a hostile one', async () => {
    expect((await get('/api/health', { 'x-request-id': 'probe-42.a_b' })).headers['x-request-id']).to.equal(
      'probe-42.a_b',
    );
    for (const given of ['<script>', 'x'.repeat(65), 'a b', '']) {
      const res = await get('/api/health', { 'x-request-id': given });
      expect(res.status).to.equal(200);
      expect(res.headers['x-request-id']).to.match(/^[0-9a-f]{12}-[0-9a-z]+$/);
    }
    const a = (await get('/api/health')).headers['x-request-id'];
    const b = (await get('/api/health')).headers['x-request-id'];
    expect(a).to.not.equal(b);
  });

  it('answers with a query string and to HEAD, and refuses other methods, paths and bodies', async () => {
    expect((await get('/api/health?probe=lb1')).body.status).to.equal('healthy');
    const head = await get('/api/health', {}, 'HEAD');
    expect(head.status).to.equal(200);
    expect(head.body).to.equal(undefined);
    const post = await get('/api/health', {}, 'POST');
    expect(post.status).to.equal(405);
    expect(post.body.code).to.equal('method_not_allowed');
    expect(String(post.headers['allow'])).to.include('GET');
    const withBody = await get(
      '/api/health',
      { 'content-type': 'text/plain', 'content-length': '5' },
      'GET',
      ['hello'],
    );
    expect(withBody.status).to.equal(415);
    expect(withBody.body.code).to.equal('unsupported_media_type');
    const near = await get('/api/healthz');
    expect(near.status).to.equal(404);
    expect(near.body.code).to.equal('not_found');
  });
});

describe('GET /api/health when the database goes away', () => {
  const t = useServer();

  it('reuses a healthy check for at most a second, then answers 503', async () => {
    expect((await rawRequest(t.url, { method: 'GET', path: '/api/health' })).status).to.equal(200);
    await t.server.db.destroy();
    const lost = Date.now();
    let res: RawResponse;
    let lastHealthySent = lost;
    do {
      const sent = Date.now();
      res = await rawRequest(t.url, { method: 'GET', path: '/api/health' });
      if (res.status === 200) lastHealthySent = sent;
    } while (res.status === 200 && Date.now() - lost < 3000);
    expect(res.status).to.equal(503);
    // The reused check was made before the database went, so every healthy answer went to a probe
    // sent within a second of that. Timed by when probes were sent, not answered: a loaded
    // machine's slow answers say nothing of the reuse.
    expect(lastHealthySent - lost).to.be.below(1000);
    expect(res.body).to.include({ status: 'unhealthy' });
    expectApiHeadersWithoutVary(res);
    // A failure is not reused: every probe asks again, so each one says what it saw.
    expect((await rawRequest(t.url, { method: 'GET', path: '/api/health' })).status).to.equal(503);
  });
});

function expectApiHeadersWithoutVary(res: RawResponse): void {
  expect(res.headers['cache-control']).to.equal('no-store');
  expect(res.headers['x-content-type-options']).to.equal('nosniff');
  // No origin is listed on this server, so its answers do not depend on Origin.
  expect(res.headers['vary']).to.equal(undefined);
}
