import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startSmtp } from '../../helpers/smtp.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { newPerson, signUp } from '../../helpers/accounts.js';
import { freePort } from '../../helpers/ports.js';
import { eventually } from '../../helpers/wait.js';

const TOKEN = 'metrics-token-for-fault-tests-42';

/** An SMTP port that accepts connections and then says nothing, as a hung mail server does. */
async function blackhole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The median signup time on each of two servers, over `n` signups each, taken in turns (and each
 * turn's first server alternating): a slow spell of the machine lands on both, not on one series.
 */
async function signupTimes(a: TestServer, b: TestServer, n: number): Promise<{ a: number; b: number }> {
  const times = new Map<TestServer, number[]>([
    [a, []],
    [b, []],
  ]);
  for (let i = 0; i < n; i++) {
    for (const t of i % 2 === 0 ? [a, b] : [b, a]) {
      const started = performance.now();
      expect((await signUp(t.url, newPerson('timed'))).status).to.equal(201);
      times.get(t)!.push(performance.now() - started);
    }
  }
  return { a: median(times.get(a)!), b: median(times.get(b)!) };
}

describe('fault: SMTP down, hung or failing for good', function () {
  this.timeout(60_000);
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  it('answers signups as fast with SMTP hung as with SMTP up', async () => {
    const smtp = await startSmtp();
    open.push(smtp);
    const up = await startTestServer({ env: { SMTP_URL: smtp.url, LIMIT_SIGNUPS_PER_10MIN: '1000' } });
    open.push(up);
    const hole = await blackhole();
    const hung = await startTestServer({ env: { SMTP_URL: hole.url, LIMIT_SIGNUPS_PER_10MIN: '1000' } });
    // Closed in reverse: the hung SMTP goes first, so the worker's send fails instead of timing out.
    open.push(hung, hole);

    const { a: normal, b: whileHung } = await signupTimes(up, hung, 7);
    expect(whileHung, `hung ${whileHung} ms vs up ${normal} ms`).to.be.below(normal * 2 + 50);
  });

  it('retries with the default backoff (first retry within 30 s) and delivers once SMTP is back', async () => {
    const port = await freePort();
    const t = await startTestServer({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    open.push(t);
    const p = newPerson('patient');
    expect((await signUp(t.url, p)).status).to.equal(201);
    const line = await eventually(() => t.logs.find((l) => l.includes('will retry')), {
      what: 'a failed send',
    });
    const { retryAt, time } = JSON.parse(line) as { retryAt: string; time: number };
    expect(Date.parse(retryAt) - time).to.be.within(1000, 30_000);

    const smtp = await startSmtp(port);
    open.push(smtp);
    await smtp.codeFor(p.email, { timeoutMs: 30_000 });
    expect(smtp.codeCount(p.email)).to.equal(1);
  });

  it('keeps a mail that failed for good in the outbox, scrubbed, and shows it in the metrics', async () => {
    const port = await freePort();
    const t = await startTestServer({
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, METRICS_TOKEN: TOKEN },
      overrides: { mailBackoffMs: () => 10, mailPollMs: 20 },
    });
    open.push(t);
    const p = newPerson('unlucky');
    expect((await signUp(t.url, p)).status).to.equal(201);
    const row = await eventually(
      async () =>
        Boolean((await t.server.db('mail_outbox').where({ recipient: p.email }).first())?.failed_at),
      { what: 'the mail to be given up', timeoutMs: 20_000 },
    );
    expect(row).to.equal(true);
    const kept = await t.server.db('mail_outbox').where({ recipient: p.email }).first();
    expect(kept.attempts).to.equal(10);
    expect(kept.text_body).to.equal('');
    const metrics = await (
      await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    expect(metrics).to.match(/^mux1_outbox_depth\{state="failed"\} 1$/m);
    expect(metrics).to.match(/^mux1_mails_total\{event="failed"\} 10$/m);
    expect(metrics).to.match(/^mux1_mails_total\{event="sent"\} 0$/m);
  });
});
