/**
 * Figure 7, signup latency does not wait for SMTP: POST /api/signup p95 with an SMTP server that
 * takes 2 s to accept each mail, against one that accepts at once, in the same run. Target:
 * ratio <= 1.1 (the mail goes through the outbox, after the answer).
 *
 *   node --import tsx bench/signup-smtp.ts [--count 30]
 *
 * Both mux1 servers (at the product's scrypt cost, which is most of a signup) run in this
 * process. The two SMTP servers run in a child process, so parsing one server's mail does not
 * take CPU from the other server's signup; the client runs in another, one signup at a time,
 * alternating between the two servers and which goes first.
 */
import { startSmtp, type TestSmtp } from '../test/helpers/smtp.js';
import { startMux1 } from './lib/mux1.js';
import { emit } from './lib/report.js';
import { forkRole, isRole, serveRole } from './lib/rpc.js';
import { intFlag, median, percentile, round } from './lib/stats.js';
import type { SignupJob } from './load/signups.js';

const SLOW_SMTP_MS = 2000;
const TARGET = 1.1;
/** Signups per server before counting: the first ones warm the JIT and the SMTP connection. */
const WARMUP = 3;

// The SMTP servers (child process)
let smtps: TestSmtp[] = [];

async function startSmtps(): Promise<{ fast: string; slow: string }> {
  smtps = [await startSmtp(0), await startSmtp(0, { delayMs: SLOW_SMTP_MS })];
  return { fast: smtps[0]!.url, slow: smtps[1]!.url };
}

async function main(): Promise<void> {
  const count = intFlag('count', 40, 100);
  const smtp = forkRole(import.meta.url, 'smtp');
  const urls = await smtp.call<{ fast: string; slow: string }>('start');
  const fast = await startMux1({ env: { SMTP_URL: urls.fast } });
  const slow = await startMux1({ env: { SMTP_URL: urls.slow } });
  const client = forkRole(new URL('./load/signups.ts', import.meta.url).href, 'signups');
  try {
    const run = (job: SignupJob) => client.call<number[][]>('run', job, 300_000);
    await run({ urls: [fast.url, slow.url], count: WARMUP, prefix: 'w' });
    const [fastMs, slowMs] = (await run({ urls: [fast.url, slow.url], count, prefix: 's' })) as [
      number[],
      number[],
    ];
    const p95 = (xs: number[]) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        0.95,
      );
    const value = p95(slowMs);
    const baseline = p95(fastMs);
    const ratio = value / baseline;
    // The slow server must really have been slow to mail, or the figure proves nothing.
    const [fastMailed, slowMailed] = await smtp.call<number[]>('mailed');
    console.log(
      `signup p95: SMTP answering in ${SLOW_SMTP_MS / 1000} s ${value.toFixed(0)} ms, at once ` +
        `${baseline.toFixed(0)} ms, ratio ${ratio.toFixed(2)}; mails accepted so far: ` +
        `fast ${fastMailed}, slow ${slowMailed}`,
    );
    emit({
      id: 'signup-smtp-p95',
      figure: 7,
      name: `Signup p95, SMTP answering in ${SLOW_SMTP_MS / 1000} s`,
      unit: 'ms',
      value: round(value, 0),
      baseline: round(baseline, 0),
      baselineName: 'SMTP answering at once',
      ratio: round(ratio),
      ratioOf: 'slow/fast',
      target: `ratio <= ${TARGET}`,
      pass: ratio <= TARGET,
      detail: {
        signupsEach: count,
        scryptLogN: 17,
        medianMs: { slow: round(median(slowMs), 0), fast: round(median(fastMs), 0) },
        mailsAcceptedBySlowSmtpDuringRun: slowMailed,
      },
    });
  } finally {
    client.kill();
    await Promise.all([fast.close(), slow.close()]);
    smtp.kill();
  }
}

if (isRole('smtp')) {
  serveRole({ start: startSmtps, mailed: () => smtps.map((s) => s.messages.length) });
} else {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      console.error(`signup-smtp: ${err.stack ?? err.message}`);
      process.exit(1);
    },
  );
}
