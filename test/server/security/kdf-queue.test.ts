import { expect } from 'chai';
import { rawApi, startTestServer, type TestServer } from '../../helpers/server.js';
import { expectError } from '../../helpers/errors.js';
import { kdfSlots } from '../../../server/accounts/index.js';

/** Password checks waiting for a hashing slot are bounded (KDF_QUEUE_MAX); past it, 503. */
describe('security: the bounded queue of password hashes', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer({
      // A cost that takes a while, so the logins below overlap; no room to wait at all.
      env: { SCRYPT_LOG_N: '15', KDF_QUEUE_MAX: '0', TRUST_PROXY: '1', LOG_LEVEL: 'warn' },
    });
  });
  after(() => t.close());

  it('answers 503 server_busy with Retry-After past the queue, and hashes only what fits', async () => {
    const slots = kdfSlots(t.config.threadpoolSize);
    const runs = t.server.hasher.runs;
    const answers = await Promise.all(
      Array.from({ length: slots + 6 }, (_, i) =>
        rawApi(
          t.url,
          'POST',
          '/api/login',
          { username: `queue-nobody-${i}`, password: 'some password 1' },
          { 'x-forwarded-for': `10.2.0.${i + 1}` },
        ),
      ),
    );
    const busy = answers.filter((r) => r.status === 503);
    const failed = answers.filter((r) => r.status === 401);
    expect(busy.length, 'refused').to.be.at.least(1);
    expect(busy.length + failed.length).to.equal(answers.length);
    for (const res of busy) {
      expectError(res, 503, 'server_busy');
      expect(Number(res.headers.get('retry-after'))).to.be.at.least(1);
      expect(res.body.retry_after_s).to.be.a('number');
    }
    // Only the admitted logins ran scrypt (the first of a process also makes its dummy hash).
    expect(t.server.hasher.runs - runs).to.be.at.most(failed.length + 1);
  });
});
