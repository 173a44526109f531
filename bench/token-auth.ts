/**
 * Figure 21, authenticating with a personal access token: GET /api/me requests/s with a token
 * against the same route with a session token, on the same server, in the same run, rounds
 * alternating so drift on a shared machine weighs on both alike (each side: the median of its
 * runs; the ratio: the median of the rounds' ratios, see pairedRatio).
 * Target: token >= 0.95 of session - a token's prefix and checksum check, and its scopes, cost
 * next to nothing, and it is looked up through the same one-second cache as a session.
 *
 *   node --import tsx bench/token-auth.ts [--rounds 3] [--seconds 6]
 *
 * The server runs in this process; autocannon runs in a child process.
 */
import { failures, httpLoad } from './lib/http-load.js';
import { seedUsers, startMux1, tokensFor } from './lib/mux1.js';
import { emit } from './lib/report.js';
import { intFlag, median, pairedRatio, round, sleep } from './lib/stats.js';

const TARGET = 0.95;

async function main(): Promise<void> {
  const mux1 = await startMux1({ logN: 10 });
  try {
    const [session] = await tokensFor(mux1.server, await seedUsers(mux1.server, 1));
    const made = await fetch(`${mux1.url}/api/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', scopes: ['profile:read'] }),
    });
    if (made.status !== 201) throw new Error(`POST /api/tokens answered ${made.status}`);
    const { token } = (await made.json()) as { token: string };
    const sides = { session: `Bearer ${session}`, token: `Bearer ${token}` };
    for (const [side, authorization] of Object.entries(sides)) {
      const me = await fetch(`${mux1.url}/api/me`, { headers: { authorization } });
      if (me.status !== 200) throw new Error(`GET /api/me with a ${side} answered ${me.status}`);
    }

    const rounds = intFlag('rounds', 3, 7);
    const seconds = intFlag('seconds', 6, 30);
    const load = (authorization: string) =>
      httpLoad({
        url: mux1.url,
        path: '/api/me',
        headers: { authorization },
        connections: 10,
        warmupS: 2,
        measureS: seconds,
      });
    const sessionRps: number[] = [];
    const tokenRps: number[] = [];
    const problems = new Set<string>();
    for (let i = 0; i < rounds; i++) {
      // Alternating which goes first, so neither always meets the warmer process.
      const order = i % 2 === 0 ? (['session', 'token'] as const) : (['token', 'session'] as const);
      for (const side of order) {
        const r = await load(sides[side]);
        (side === 'session' ? sessionRps : tokenRps).push(r.rps);
        if (failures(r)) problems.add(`${side}: ${failures(r)}`);
      }
    }
    await sleep(500);
    const value = median(tokenRps);
    const baseline = median(sessionRps);
    const ratio = pairedRatio(tokenRps, sessionRps);
    console.log(
      `GET /api/me: token ${value.toFixed(0)} req/s, session ${baseline.toFixed(0)} req/s, ratio ${ratio.toFixed(2)} (median of the rounds' ratios; target >= ${TARGET})`,
    );
    emit({
      id: 'token-auth-rps',
      figure: 21,
      name: 'GET /api/me with a personal access token',
      unit: 'req/s',
      value: round(value, 0),
      baseline: round(baseline, 0),
      baselineName: 'the same with a session token',
      ratio: round(ratio),
      ratioOf: 'token/session',
      target: `ratio >= ${TARGET}`,
      pass: ratio >= TARGET && problems.size === 0,
      detail: {
        connections: 10,
        rounds,
        seconds,
        tokenRuns: tokenRps.map((x) => round(x, 0)),
        sessionRuns: sessionRps.map((x) => round(x, 0)),
        ...(problems.size ? { failures: [...problems] } : {}),
      },
    });
  } finally {
    await mux1.close();
  }
}

main().catch((err: Error) => {
  console.error(`token-auth: ${err.stack ?? err.message}`);
  process.exit(1);
});
