/**
 * Figure 20, password hashing as a denial of service: a real user's login latency while 40
 * clients hammer password reset, verify-email, logins to unverified accounts and signups, beside
 * the same user's logins on the idle server in the same run. Target: median within 3x of idle.
 *
 *   node --import tsx bench/kdf-dos.ts [--seconds 30] [--addresses 4] [--log-n 17]
 *
 * The server runs in this process at the default scrypt cost (logN 17) with the product's own
 * abuse limits (not the benches' generous ones) and TRUST_PROXY on, so each client carries its
 * address in X-Forwarded-For: the user one address, the 40 attackers `--addresses` others. The
 * attackers never solve a proof-of-work challenge: a 428 is a refusal like a 429 or a 503.
 */
import { settings } from '../config/index.js';
import { startMux1 } from './lib/mux1.js';
import { emit } from './lib/report.js';
import { intFlag, median, percentile, round, sleep } from './lib/stats.js';

const ATTACKERS = 40;
const IDLE_LOGINS = 8;
const TARGET_RATIO = 3;
const USER_ADDRESS = '198.51.100.7';

/** Every LIMIT_* setting at its default: the limits are what this bench measures. */
function productLimits(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const setting of Object.values(settings)) {
    if (setting.env.startsWith('LIMIT_')) env[setting.env] = String(setting.default);
  }
  return env;
}

async function post(url: string, path: string, body: unknown, ip: string): Promise<number> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

async function main(): Promise<void> {
  const seconds = intFlag('seconds', 30, 300);
  const addresses = intFlag('addresses', 4, ATTACKERS);
  const logN = intFlag('log-n', 17, 20);
  const mux1 = await startMux1({ logN, env: { ...productLimits(), TRUST_PROXY: '1' } });
  try {
    const { url } = mux1;
    const user = { username: 'realuser', email: 'realuser@example.test', password: 'a real person logs in' };
    if ((await post(url, '/api/signup', user, USER_ADDRESS)) !== 201) throw new Error('signup failed');
    await mux1.server
      .db('users')
      .where({ username: user.username })
      .update({ email_verified_at: Date.now() });

    const loginMs = async (): Promise<number> => {
      const started = performance.now();
      const status = await post(
        url,
        '/api/login',
        { username: user.username, password: user.password },
        USER_ADDRESS,
      );
      if (status !== 200) throw new Error(`the real user's login answered ${status}`);
      return performance.now() - started;
    };

    await loginMs(); // warm-up: the first login also pays for module and cache warm-up
    const idle: number[] = [];
    for (let i = 0; i < IDLE_LOGINS; i++) idle.push(await loginMs());

    console.log(`idle: ${idle.map((x) => Math.round(x)).join(' ')} ms`);
    const answers = new Map<number, number>();
    let stop = false;
    const attacker = async (i: number) => {
      const ip = `203.0.113.${(i % addresses) + 1}`;
      for (let n = 0; !stop; n++) {
        const name = `flood${i}x${n}`;
        const email = `${name}@example.test`;
        const password = `flood password ${i} ${n}`;
        const calls: [string, unknown][] = [
          ['/api/signup', { username: name, email, password }],
          ['/api/login', { username: name, password }],
          ['/api/verify-email', { email, code: String(100000 + ((i * 7919 + n) % 900000)) }],
          ['/api/password/reset', { email: `victim${n % 50}@example.test`, code: '123456', password }],
        ];
        for (const [path, body] of calls) {
          if (stop) break;
          const status = await post(url, path, body, ip).catch(() => 0);
          answers.set(status, (answers.get(status) ?? 0) + 1);
        }
      }
    };
    const flood = Array.from({ length: ATTACKERS }, (_, i) => attacker(i));
    await sleep(2000);
    const loaded: number[] = [];
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) loaded.push(await loginMs());
    stop = true;
    await Promise.all(flood);

    const sorted = [...loaded].sort((a, b) => a - b);
    const value = round(median(loaded), 1);
    const baseline = round(median(idle), 1);
    const ratio = round(value / baseline, 2);
    console.log(
      `real user's login median ${value} ms under the flood (idle ${baseline} ms): ${ratio}x; ` +
        `answers to the flood ${JSON.stringify(Object.fromEntries(answers))}`,
    );
    emit({
      id: 'kdf-dos-login',
      figure: 20,
      name: "A real user's login while 40 clients hammer reset, verify, unverified login and signup",
      unit: 'ms',
      value,
      baseline,
      baselineName: 'same login, idle server',
      ratio,
      ratioOf: 'flood/idle (median)',
      target: `ratio <= ${TARGET_RATIO}`,
      pass: ratio <= TARGET_RATIO,
      detail: {
        seconds,
        logN,
        attackers: ATTACKERS,
        attackerAddresses: addresses,
        logins: loaded.length,
        p90Ms: round(percentile(sorted, 0.9), 1),
        maxMs: round(sorted.at(-1) ?? 0, 1),
        idleMs: idle.map((x) => round(x, 1)),
        floodAnswers: Object.fromEntries(answers),
      },
    });
  } finally {
    await mux1.close();
  }
}

main().catch((err: Error) => {
  console.error(`kdf-dos: ${err.stack ?? err.message}`);
  process.exit(1);
});
