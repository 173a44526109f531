/**
 * Figure 4, health: GET /api/health requests/s on mux1 against a bare Koa + @koa/router app that
 * answers the same JSON at the same path, in the same run. mux1 answers through its one edge
 * middleware (request id, security headers, metrics, log) and its health check (a database query
 * at most once a second). Target: mux1 >= 0.8 of bare.
 *
 *   node --import tsx bench/health.ts [--rounds 2] [--seconds 6]
 *
 * Both servers run in this process; autocannon runs in a child process.
 */
import { bareKoa } from './lib/bare.js';
import { compareRps } from './lib/compare-rps.js';
import { startMux1 } from './lib/mux1.js';
import { runBench } from './lib/load-average.js';
import { intFlag } from './lib/stats.js';

async function main(): Promise<void> {
  // The KDF plays no part here; a cheap one makes start-up quick.
  const mux1 = await startMux1({ logN: 10 });
  const sample = (await (await fetch(`${mux1.url}/api/health`)).json()) as Record<string, unknown>;
  const startedAt = Date.now();
  const bare = await bareKoa('/api/health', () => ({
    ...sample,
    uptime_s: Math.floor((Date.now() - startedAt) / 1000),
  }));
  try {
    await compareRps({
      id: 'health-rps',
      figure: 4,
      name: 'GET /api/health',
      path: '/api/health',
      mux1Url: mux1.url,
      bareUrl: bare.url,
      bareName: 'bare Koa + router',
      rounds: intFlag('rounds', 2, 5),
      seconds: intFlag('seconds', 6, 30),
      connections: 10,
      target: 0.8,
    });
  } finally {
    await bare.close();
    await mux1.close();
  }
}

runBench('health', main);
