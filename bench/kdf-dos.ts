/**
 * Figure 20, password hashing as a denial of service: a real user's login latency while 40
 * clients hammer password reset, verify-email, logins to unverified accounts and signups, beside
 * the same user's logins on the idle server in the same run. Target: median within 3x of idle.
 *
 *   node --import tsx bench/kdf-dos.ts [--seconds 30] [--addresses 4] [--log-n 17]
 *     [--attacker-procs 2] [--pace-ms 300]
 *
 * Three kinds of process, so none starves another's event loop: the server alone in a child
 * process, at the given scrypt cost with the product's own abuse limits (not the benches'
 * generous ones) and TRUST_PROXY on; the 40 attacking loops spread over `--attacker-procs` child
 * processes; the real user in this one, which does nothing else. Each client carries its address
 * in X-Forwarded-For: the user one address, the attackers `--addresses` others. The attackers
 * never solve a proof-of-work challenge: a 428 is a refusal like a 429 or a 503.
 *
 * The user logs in at most once every `--pace-ms`, as a person does: back to back, a fast server
 * would spend the user's own address budget (LIMIT_KDF_PER_10MIN) within the run.
 *
 * Where the user's login waits, printed beside the figure: the server times, for the user's
 * password only, the wait for a hashing slot and the hash itself (KdfGate), and samples its event
 * loop delay and the hashing queue; what is left of the latency the client saw is HTTP, the
 * database and the event loop.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readerOf } from '../server/store/db.js';
import { settings } from '../config/index.js';
import { KdfGate, PasswordHasher } from '../server/accounts/passwords.js';
import { runBench } from './lib/load-average.js';
import { startMux1, type BenchServer } from './lib/mux1.js';
import { emit } from './lib/report.js';
import { forkRole, isRole, serveRole, type Child } from './lib/rpc.js';
import { intFlag, median, percentile, round, sleep, sum } from './lib/stats.js';

const ATTACKERS = 40;
const IDLE_LOGINS = 8;
const TARGET_RATIO = 3;
const USER_ADDRESS = '198.51.100.7';
const USER = { username: 'realuser', email: 'realuser@example.test', password: 'a real person logs in' };

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

// ---------------------------------------------------------------------------------------------
// The server (child process): mux1, with the user's hashing timed inside it.

/** Where one of the user's logins spent its time inside the server. */
interface UserLogin {
  startedAt: number;
  /** From the request's headers parsed to its answer sent. */
  serverMs: number;
  /** Waiting for a hashing slot. */
  queuedMs: number;
  /** The scrypt verify itself, on the libuv pool. */
  hashMs: number;
  /** Waiting for a database connection (SQLite: the one writer, or a reader). */
  connectionWaitMs: number;
  /** Queries running, from sent to answered (on the libuv pool for SQLite). */
  queryMs: number;
  queries: number;
}

let server: BenchServer | undefined;
/** Every query the server ran in the window, by its first word, and the connection pools. */
const queryKinds = new Map<string, number>();
const pools: { numPendingAcquires(): number }[] = [];
const writerQueue: number[] = [];
const userLogins: UserLogin[] = [];
const userLogin = new AsyncLocalStorage<UserLogin>();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const queueSamples: number[] = [];
let sampler: NodeJS.Timeout | undefined;

/**
 * Times the user's verify calls: PasswordHasher.verify hands its task to KdfGate.run in the same
 * tick, so a flag set around the call tells the gate's wrapper whose task it is.
 */
function instrumentHashing(): void {
  let userCall = false;
  const verify = PasswordHasher.prototype.verify;
  PasswordHasher.prototype.verify = function (hash: string, password: string, weight?: number) {
    userCall = password === USER.password;
    try {
      return verify.call(this, hash, password, weight);
    } finally {
      userCall = false;
    }
  };
  const run = KdfGate.prototype.run;
  KdfGate.prototype.run = function <T>(this: KdfGate, task: () => Promise<T>, weight?: number) {
    if (!userCall) return run.call(this, task, weight) as Promise<T>;
    const called = performance.now();
    return run.call(
      this,
      async () => {
        const began = performance.now();
        try {
          return await task();
        } finally {
          const login = userLogin.getStore();
          if (login) {
            login.queuedMs += began - called;
            login.hashMs += performance.now() - began;
          }
        }
      },
      weight,
    ) as Promise<T>;
  };
}

/**
 * Follows each of the user's login requests through the server: the HTTP server's diagnostics
 * channel opens a context for it before Koa sees it, which every await inside carries along.
 */
function instrumentRequests(): void {
  subscribe('http.server.request.start', (message) => {
    const request = (message as { request: IncomingMessage }).request;
    if (request.url !== '/api/login' || request.headers['x-forwarded-for'] !== USER_ADDRESS) return;
    userLogin.enterWith({
      startedAt: performance.now(),
      serverMs: 0,
      queuedMs: 0,
      hashMs: 0,
      connectionWaitMs: 0,
      queryMs: 0,
      queries: 0,
    });
  });
  subscribe('http.server.response.finish', () => {
    const login = userLogin.getStore();
    if (!login) return;
    login.serverMs = performance.now() - login.startedAt;
    userLogins.push(login);
  });
}

/** Times the waits for a connection and the queries of the user's logins. */
function instrumentDatabase(db: any): void {
  const acquire = db.client.acquireConnection.bind(db.client);
  db.client.acquireConnection = async () => {
    const began = performance.now();
    try {
      return await acquire();
    } finally {
      const login = userLogin.getStore();
      if (login) login.connectionWaitMs += performance.now() - began;
    }
  };
  const sent = new Map<string, number>();
  db.on('query', (q: { __knexQueryUid: string; sql: string }) => {
    const kind = /^\s*(\w+)/.exec(q.sql)?.[1]?.toLowerCase() ?? '?';
    queryKinds.set(kind, (queryKinds.get(kind) ?? 0) + 1);
    if (userLogin.getStore()) sent.set(q.__knexQueryUid, performance.now());
  });
  pools.push(db.client.pool);
  const answered = (_: unknown, q: { __knexQueryUid: string }) => {
    const began = sent.get(q.__knexQueryUid);
    const login = userLogin.getStore();
    if (began === undefined || !login) return;
    sent.delete(q.__knexQueryUid);
    login.queryMs += performance.now() - began;
    login.queries++;
  };
  db.on('query-response', answered);
  db.on('query-error', answered);
}

async function startServer({ logN }: { logN: number }): Promise<{ url: string }> {
  instrumentHashing();
  instrumentRequests();
  server = await startMux1({ logN, env: { ...productLimits(), TRUST_PROXY: '1' } });
  instrumentDatabase(server.server.db);
  if (readerOf(server.server.db) !== server.server.db) instrumentDatabase(readerOf(server.server.db));
  const { url } = server;
  if ((await post(url, '/api/signup', USER, USER_ADDRESS)) !== 201) throw new Error('signup failed');
  await server.server
    .db('users')
    .where({ username: USER.username })
    .update({ email_verified_at: Date.now() });
  return { url };
}

/** Starts a fresh window of the server's own readings (user hashes, loop delay, queue length). */
function resetReadings(): void {
  userLogins.length = 0;
  queueSamples.length = 0;
  loopDelay.reset();
  loopDelay.enable();
  clearInterval(sampler);
  // The gate's queue is private; a bench may look at it.
  const gate = () => (server?.server as any)?.accounts?.hasher?.gate ?? findGate();
  queryKinds.clear();
  writerQueue.length = 0;
  sampler = setInterval(() => {
    queueSamples.push(gate()?.waiting?.length ?? -1);
    writerQueue.push(pools[0]?.numPendingAcquires() ?? -1);
  }, 50);
}

/** The KdfGate inside the running server, wherever the accounts module keeps its hasher. */
function findGate(): { waiting: unknown[] } | undefined {
  const seen = new Set<unknown>();
  const walk = (o: any, depth: number): any => {
    if (!o || typeof o !== 'object' || seen.has(o) || depth > 4) return undefined;
    seen.add(o);
    if (o instanceof KdfGate) return o;
    for (const v of Object.values(o)) {
      const found = walk(v, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(server?.server, 0);
}

function readings() {
  loopDelay.disable();
  clearInterval(sampler);
  const ms = (ns: number) => round(ns / 1e6, 1);
  const sortedQueue = [...queueSamples].sort((a, b) => a - b);
  const of = (pick: (l: UserLogin) => number) => round(median(userLogins.map(pick)), 1);
  return {
    user: {
      logins: userLogins.length,
      serverMs: of((l) => l.serverMs),
      slotWaitMs: of((l) => l.queuedMs),
      hashMs: of((l) => l.hashMs),
      connectionWaitMs: of((l) => l.connectionWaitMs),
      queryMs: of((l) => l.queryMs),
      queries: of((l) => l.queries),
    },
    loopDelayMs: {
      p50: ms(loopDelay.percentile(50)),
      p99: ms(loopDelay.percentile(99)),
      max: ms(loopDelay.max),
    },
    hashQueue: {
      median: median(queueSamples),
      p90: percentile(sortedQueue, 0.9),
      max: sortedQueue.at(-1) ?? 0,
    },
    /** Requests waiting for the database's (SQLite: the writer's) connection, sampled every 50 ms. */
    connectionQueue: { median: median(writerQueue), max: Math.max(0, ...writerQueue) },
    queries: Object.fromEntries(queryKinds),
  };
}

// ---------------------------------------------------------------------------------------------
// The attackers (child processes): closed loops, as fast as the server answers.

async function flood(job: {
  url: string;
  first: number;
  loops: number;
  addresses: number;
  seconds: number;
}): Promise<Record<number, number>> {
  const answers = new Map<number, number>();
  const until = performance.now() + job.seconds * 1000;
  const attacker = async (i: number) => {
    const ip = `203.0.113.${(i % job.addresses) + 1}`;
    for (let n = 0; performance.now() < until; n++) {
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
        if (performance.now() >= until) break;
        const status = await post(job.url, path, body, ip).catch(() => 0);
        answers.set(status, (answers.get(status) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: job.loops }, (_, k) => attacker(job.first + k)));
  return Object.fromEntries(answers);
}

// ---------------------------------------------------------------------------------------------
// The real user and the run (this process)

async function main(): Promise<void> {
  const seconds = intFlag('seconds', 30, 300);
  const addresses = intFlag('addresses', 4, ATTACKERS);
  const logN = intFlag('log-n', 17, 20);
  const attackerProcs = intFlag('attacker-procs', 2, 8);
  const paceMs = intFlag('pace-ms', 300, 5000);

  const serverProc = forkRole(import.meta.url, 'kdf-server');
  const attackers: Child[] = [];
  try {
    const { url } = await serverProc.call<{ url: string }>('start', { logN }, 60_000);
    /** The user's refused logins by status: a refusal is worse than a slow login, and fails the target. */
    const refused: Record<number, number> = {};
    const loginMs = async (): Promise<number | undefined> => {
      const started = performance.now();
      const status = await post(
        url,
        '/api/login',
        { username: USER.username, password: USER.password },
        USER_ADDRESS,
      );
      if (status === 200) return performance.now() - started;
      refused[status] = (refused[status] ?? 0) + 1;
      return undefined;
    };
    const paced = async (until: () => boolean): Promise<number[]> => {
      const took: number[] = [];
      while (!until()) {
        const started = performance.now();
        const ms = await loginMs();
        if (ms !== undefined) took.push(ms);
        await sleep(Math.max(0, paceMs - (performance.now() - started)));
      }
      return took;
    };

    // Warm-up: the first login also pays for module and cache warm-up.
    if ((await loginMs()) === undefined)
      throw new Error(`the real user's login was refused: ${JSON.stringify(refused)}`);
    await serverProc.call('reset');
    let idleLogins = 0;
    const idle = await paced(() => idleLogins++ >= IDLE_LOGINS);
    const idleReadings = await serverProc.call<ReturnType<typeof readings>>('readings');
    console.log(`idle: ${idle.map((x) => Math.round(x)).join(' ')} ms`);

    for (let p = 0; p < attackerProcs; p++) attackers.push(forkRole(import.meta.url, 'kdf-attackers'));
    // Loaded and listening before the flood is timed: starting under tsx takes a second or two.
    await Promise.all(attackers.map((a) => a.call('ready', undefined, 60_000)));
    const share = Math.ceil(ATTACKERS / attackerProcs);
    const floodSeconds = seconds + 4;
    const answered = attackers.map((a, p) =>
      a.call<Record<number, number>>(
        'flood',
        {
          url,
          first: p * share,
          loops: Math.min(share, ATTACKERS - p * share),
          addresses,
          seconds: floodSeconds,
        },
        (floodSeconds + 60) * 1000,
      ),
    );
    // Awaited below; a failure of the user's side first must not leave these unhandled.
    for (const a of answered) a.catch(() => {});
    await sleep(2000); // the flood reaches its pace (and spends its budgets) first
    await serverProc.call('reset');
    const until = performance.now() + seconds * 1000;
    const loaded = await paced(() => performance.now() >= until);
    const loadedReadings = await serverProc.call<ReturnType<typeof readings>>('readings');
    const answers: Record<number, number> = {};
    for (const a of await Promise.all(answered)) {
      for (const [status, n] of Object.entries(a))
        answers[Number(status)] = (answers[Number(status)] ?? 0) + n;
    }

    const sorted = [...loaded].sort((a, b) => a - b);
    const value = round(median(loaded), 1);
    const baseline = round(median(idle), 1);
    const ratio = round(value / baseline, 2);
    const refusals = sum(Object.values(refused));
    const held = ratio <= TARGET_RATIO && refusals === 0;
    const where = (r: ReturnType<typeof readings>, clientMs: number[]) => {
      const u = r.user;
      const rest = u.serverMs - u.slotWaitMs - u.hashMs - u.connectionWaitMs - u.queryMs;
      return (
        `medians: client ${round(median(clientMs), 1)} ms, of which in the server ${u.serverMs}: hashing ` +
        `slot wait ${u.slotWaitMs} + hash ${u.hashMs} + database connection wait ${u.connectionWaitMs} + ` +
        `${u.queries} queries ${u.queryMs} + the rest ${round(rest, 1)} (event loop, limits, HTTP); ` +
        `server loop delay ` +
        `p50 ${r.loopDelayMs.p50} / p99 ${r.loopDelayMs.p99} ms; hashing queue median ${r.hashQueue.median}, ` +
        `max ${r.hashQueue.max}; waiting for the database connection median ${r.connectionQueue.median}, ` +
        `max ${r.connectionQueue.max}; queries ${JSON.stringify(r.queries)}`
      );
    };
    console.log(`idle:  ${where(idleReadings, idle)}`);
    console.log(`flood: ${where(loadedReadings, loaded)}`);
    console.log(
      `real user's login median ${value} ms under the flood (idle ${baseline} ms): ${ratio}x ` +
        `(target <= ${TARGET_RATIO}x and no refusal: ${held ? 'held' : 'missed'}); user's logins refused ` +
        `${JSON.stringify(refused)}; ` +
        `${sum(Object.values(answers))} flood answers ${JSON.stringify(answers)}`,
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
      target: `ratio <= ${TARGET_RATIO}, no login refused`,
      pass: held,
      detail: {
        seconds,
        logN,
        attackers: ATTACKERS,
        attackerProcesses: attackerProcs,
        attackerAddresses: addresses,
        paceMs,
        logins: loaded.length,
        userRefused: refused,
        p90Ms: round(percentile(sorted, 0.9), 1),
        maxMs: round(sorted.at(-1) ?? 0, 1),
        idleMs: idle.map((x) => round(x, 1)),
        floodAnswers: answers,
        server: { idle: summary(idleReadings), flood: summary(loadedReadings) },
      },
    });
  } finally {
    for (const a of attackers) a.kill();
    await serverProc.call('stop', undefined, 10_000).catch(() => {});
    serverProc.kill();
  }
}

function summary(r: ReturnType<typeof readings>) {
  return {
    userLogin: r.user,
    loopDelayMs: r.loopDelayMs,
    hashQueue: r.hashQueue,
    connectionQueue: r.connectionQueue,
    queries: r.queries,
  };
}

if (isRole('kdf-server')) {
  serveRole({ start: startServer, reset: resetReadings, readings, stop: () => server?.close() });
} else if (isRole('kdf-attackers')) {
  serveRole({ flood, ready: () => true });
} else {
  runBench('kdf-dos', main);
}
