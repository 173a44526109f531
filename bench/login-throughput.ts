/**
 * Figure 1, login throughput against the KDF limit: successful POST /api/login per second at
 * concurrency 8 (autocannon in a child process) against raw scrypt-kdf verifies per second with
 * the same hash, 8 in flight, in this same process - so with the same libuv threadpool
 * (UV_THREADPOOL_SIZE, which the runner sets as mux1's entry point does). Target: >= 0.9, i.e.
 * the server adds under 10% to the KDF.
 *
 *   node --import tsx bench/login-throughput.ts [--rounds 2] [--seconds 12]
 *
 * Raw and HTTP runs alternate, `--rounds` times each; each side's figure is its median.
 */
import { failures, httpLoad } from './lib/http-load.js';
import { LOG_N, rawVerifyRate, startLoginPool } from './lib/login-pool.js';
import { emit } from './lib/report.js';
import { intFlag, median, round, sleep } from './lib/stats.js';

const CONCURRENCY = 8;
/** Long enough for a full wave of 8 logins to finish before counting starts. */
const WARMUP_S = 4;
const TARGET = 0.9;

async function main(): Promise<void> {
  const rounds = intFlag('rounds', 2, 5);
  const seconds = intFlag('seconds', 12, 60);
  const pool = await startLoginPool(64);
  try {
    const raw: number[] = [];
    const http: number[] = [];
    const problems = new Set<string>();
    for (let i = 0; i < rounds; i++) {
      raw.push(await rawVerifyRate(pool, CONCURRENCY, WARMUP_S, seconds));
      const r = await httpLoad({
        url: pool.mux1.url,
        path: '/api/login',
        method: 'POST',
        variants: pool.variants,
        connections: CONCURRENCY,
        warmupS: WARMUP_S,
        measureS: seconds,
      });
      http.push(r.rps);
      if (failures(r)) problems.add(failures(r));
      // Logins still hashing when the load stopped finish before the next raw run.
      await sleep(2000);
    }
    const value = median(http);
    const baseline = median(raw);
    const ratio = value / baseline;
    const threadpool = process.env.UV_THREADPOOL_SIZE ?? '4 (libuv default)';
    console.log(
      `login: mux1 ${value.toFixed(2)} logins/s, raw scrypt ${baseline.toFixed(2)} verifies/s, ` +
        `ratio ${ratio.toFixed(2)} (UV_THREADPOOL_SIZE ${threadpool})`,
    );
    emit({
      id: 'login-throughput',
      figure: 1,
      name: 'Login throughput, concurrency 8',
      unit: 'logins/s',
      value: round(value),
      baseline: round(baseline),
      baselineName: `raw scrypt-kdf verify (logN ${LOG_N}, r 8, p 1), 8 in flight`,
      ratio: round(ratio),
      ratioOf: 'mux1/raw',
      target: `ratio >= ${TARGET}`,
      pass: ratio >= TARGET && problems.size === 0,
      detail: {
        uvThreadpoolSize: threadpool,
        rounds,
        seconds,
        mux1Runs: http.map((x) => round(x)),
        rawRuns: raw.map((x) => round(x)),
        ...(problems.size ? { failures: [...problems] } : {}),
      },
    });
  } finally {
    await pool.close();
  }
}

main().catch((err: Error) => {
  console.error(`login-throughput: ${err.stack ?? err.message}`);
  process.exit(1);
});
