/**
 * The signup client for bench/signup-smtp.ts, in a process of its own: one signup at a time,
 * alternating between two servers, so a busy machine weighs on both alike. Returns each
 * server's latencies in ms.
 */
import { serveRole } from '../lib/rpc.js';
import { assertLoopback } from '../lib/stats.js';

export interface SignupJob {
  urls: string[];
  /** Signups per server. */
  count: number;
  /** Kept apart between runs so usernames never collide. */
  prefix: string;
}

async function signupOnce(url: string, name: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/api/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: name,
      email: `${name}@bench.test`,
      password: `tulip-orbit-${name}-lantern`,
    }),
    signal: AbortSignal.timeout(20_000),
  });
  await res.text();
  if (res.status !== 201) throw new Error(`signup answered ${res.status}`);
  return performance.now() - started;
}

async function run(job: SignupJob): Promise<number[][]> {
  job.urls.forEach(assertLoopback);
  if (job.count > 200) throw new Error('too many signups');
  const latencies = job.urls.map(() => [] as number[]);
  for (let i = 0; i < job.count; i++) {
    // Which server goes first alternates too, so neither always follows the other's work.
    const order = job.urls.map((_, k) => k);
    if (i % 2) order.reverse();
    for (const k of order) latencies[k]!.push(await signupOnce(job.urls[k]!, `${job.prefix}${k}n${i}`));
  }
  return latencies;
}

serveRole({ run });
