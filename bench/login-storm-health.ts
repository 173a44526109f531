/**
 * Figure 2, the event loop stays free during a login storm: GET /api/health p99 latency while
 * 8 logins at a time keep the KDF saturated, beside the same probe on the idle server in the
 * same run. Target: p99 < 20 ms under the storm.
 *
 *   node --import tsx bench/login-storm-health.ts [--seconds 12]
 *
 * The server runs in this process; the storm and the probe are two autocannon child processes.
 * The probe asks at a fixed rate (so its latencies are corrected for coordinated omission: a
 * stalled server is charged for the requests it kept waiting) and starts once the storm is on.
 */
import { failures, httpLoad, type HttpLoadJob } from './lib/http-load.js';
import { startLoginPool } from './lib/login-pool.js';
import { emit } from './lib/report.js';
import { intFlag, round, sleep } from './lib/stats.js';

const STORM_CONCURRENCY = 8;
const STORM_WARMUP_S = 4;
const PROBE_RATE = 25;
const TARGET_MS = 20;

async function main(): Promise<void> {
  const seconds = intFlag('seconds', 12, 60);
  const pool = await startLoginPool(64);
  try {
    const probe: HttpLoadJob = {
      url: pool.mux1.url,
      path: '/api/health',
      connections: 1,
      overallRate: PROBE_RATE,
      latencyWarmupS: 1,
      warmupS: 0,
      measureS: seconds,
    };
    const idle = await httpLoad(probe);
    const storm = httpLoad({
      url: pool.mux1.url,
      path: '/api/login',
      method: 'POST',
      variants: pool.variants,
      connections: STORM_CONCURRENCY,
      warmupS: STORM_WARMUP_S,
      // The storm outlasts the probe (its warm-up run included) on both ends.
      measureS: seconds + 3,
    });
    await sleep(STORM_WARMUP_S * 1000);
    const loaded = await httpLoad(probe);
    const stormResult = await storm;
    await sleep(2000); // logins in flight finish before the server closes

    const problems = [failures(idle), failures(loaded), failures(stormResult)].filter(Boolean);
    const value = loaded.latencyMs.p99;
    const baseline = idle.latencyMs.p99;
    console.log(
      `health p99 during the login storm ${value} ms (idle ${baseline} ms); ` +
        `storm ${stormResult.rps.toFixed(2)} logins/s`,
    );
    emit({
      id: 'login-storm-health-p99',
      figure: 2,
      name: 'GET /api/health p99 during a login storm',
      unit: 'ms',
      value,
      baseline,
      baselineName: 'same probe, idle server',
      ratio: null,
      ratioOf: null,
      target: `< ${TARGET_MS} ms`,
      pass: value < TARGET_MS && problems.length === 0,
      detail: {
        probeRate: PROBE_RATE,
        seconds,
        storm: { concurrency: STORM_CONCURRENCY, loginsPerS: round(stormResult.rps) },
        underStorm: loaded.latencyMs,
        idle: idle.latencyMs,
        ...(problems.length ? { failures: problems } : {}),
      },
    });
  } finally {
    await pool.close();
  }
}

main().catch((err: Error) => {
  console.error(`login-storm-health: ${err.stack ?? err.message}`);
  process.exit(1);
});
