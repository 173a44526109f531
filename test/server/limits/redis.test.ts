import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { freePort } from '../../helpers/ports.js';
import { eventually } from '../../helpers/wait.js';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
  probe.on('error', () => {}); // refused until the server is up: expected
  await eventually(
    () =>
      probe.ping().then(
        () => true,
        () => false,
      ),
    { what: 'redis-server to answer' },
  );
  probe.disconnect();
  return child;
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

/**
 * Scale-out mode: the counters live in Redis, so two processes share one budget; when Redis
 * goes away each process falls back to its own counters (with a warning) and goes back to
 * Redis when it returns. Needs the redis-server binary; skipped without it.
 */
describe('abuse limits with REDIS_URL', function () {
  this.timeout(30_000);
  let port: number;
  let redis: ChildProcess;
  let a: TestServer;
  let b: TestServer;

  before(async function () {
    if (!hasRedis) this.skip();
    port = await freePort();
    redis = await startRedis(port);
    const env = {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_KEY_PREFIX: 'mux1test:',
      LIMIT_SIGNUPS_PER_10MIN: '100',
      LIMIT_MAILS_PER_HOUR_PER_EMAIL: '3',
      CHALLENGE_SECRET: 'a shared secret for both processes, 32+ chars',
    };
    a = await startTestServer({ env });
    b = await startTestServer({ env });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    if (redis) await stop(redis);
  });

  const resend = (t: TestServer, email: string) => api(t.url, 'POST', '/api/resend-verification', { email });

  it('shares one budget between two processes, under the configured key prefix', async () => {
    const email = newPerson('shared').email;
    expect((await resend(a, email)).status).to.equal(200);
    expect((await resend(b, email)).status).to.equal(200);
    expect((await resend(a, email)).status).to.equal(200);
    expectError(await resend(b, email), 429, 'rate_limited');
    const client = new Redis({ port });
    const keys = await client.keys('*');
    client.disconnect();
    expect(keys.length).to.be.above(0);
    for (const key of keys) expect(key.startsWith('mux1test:limit:')).to.equal(true, key);
  });

  it('verifies on one process a challenge solution made for the other (shared CHALLENGE_SECRET)', async () => {
    const c = await api(a.url, 'GET', '/api/challenge');
    const { solveChallenge } = await import('../../../tui/client/challenge.js');
    const solved = await solveChallenge(c.body);
    const name = `nobody${Date.now()}`;
    for (let i = 0; i < 3; i++)
      await api(b.url, 'POST', '/api/login', { username: name, password: 'wrong-password' });
    const res = await api(
      b.url,
      'POST',
      '/api/login',
      { username: name, password: 'wrong-password' },
      { 'x-altcha': solved },
    );
    expectError(res, 401, 'invalid_credentials');
  });

  it('starts and serves with Redis away from the start, limits counted in process', async () => {
    const dead = await freePort();
    const t = await startTestServer({
      env: { REDIS_URL: `redis://127.0.0.1:${dead}`, LIMIT_MAILS_PER_HOUR_PER_EMAIL: '2' },
    });
    try {
      const email = newPerson('nored').email;
      expect((await resend(t, email)).status).to.equal(200);
      expect((await resend(t, email)).status).to.equal(200);
      expectError(await resend(t, email), 429, 'rate_limited');
      expect((await api(t.url, 'GET', '/api/health')).status).to.equal(200);
      await eventually(() => t.logs.some((l) => l.includes('Redis connection lost (rate-limits)')), {
        what: 'the fallback warning',
      });
    } finally {
      await t.close();
    }
  });

  it('keeps serving with in-process limits while Redis is down, with a warning, and recovers', async () => {
    await stop(redis);
    const email = newPerson('down').email;
    for (let i = 0; i < 3; i++) expect((await resend(a, email)).status).to.equal(200);
    // Still limited: the fallback counts in this process.
    expectError(await resend(a, email), 429, 'rate_limited');
    await eventually(() => a.logs.some((l) => l.includes('Redis connection lost (rate-limits)')), {
      what: 'the fallback warning',
    });

    redis = await startRedis(port);
    await eventually(() => a.logs.some((l) => l.includes('Redis connection restored (rate-limits)')), {
      timeoutMs: 15_000,
      what: 'the recovery line',
    });
    const again = newPerson('back').email;
    expect((await resend(a, again)).status).to.equal(200);
    const client = new Redis({ port });
    expect((await client.keys('mux1test:limit:resend-email*')).length).to.be.above(0);
    client.disconnect();
  });
});
