/**
 * Figure 3, authenticated read: GET /api/me requests/s on mux1 (bearer token, session looked up
 * on every request) against a bare Koa + @koa/router app that returns the same JSON, in the same
 * run.
 * Target: mux1 >= 0.8 of bare.
 *
 *   node --import tsx bench/me.ts [--rounds 2] [--seconds 6]
 *
 * Both servers run in this process; autocannon runs in a child process.
 */
import { bareKoa } from './lib/bare.js';
import { compareRps } from './lib/compare-rps.js';
import { seedUsers, startMux1, tokensFor } from './lib/mux1.js';
import { runBench } from './lib/load-average.js';
import { intFlag } from './lib/stats.js';

async function main(): Promise<void> {
  const mux1 = await startMux1({ logN: 10 });
  const [token] = await tokensFor(mux1.server, await seedUsers(mux1.server, 1));
  const headers = { authorization: `Bearer ${token}` };
  const me = await fetch(`${mux1.url}/api/me`, { headers });
  if (me.status !== 200) throw new Error(`GET /api/me answered ${me.status}`);
  const body: unknown = await me.json();
  const bare = await bareKoa('/api/me', () => body);
  try {
    await compareRps({
      id: 'me-rps',
      figure: 3,
      name: 'GET /api/me',
      path: '/api/me',
      headers,
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

runBench('me', main);
