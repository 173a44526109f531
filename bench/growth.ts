/**
 * Growth: what every REST route and Socket.IO event costs on a small database and on a large
 * one, side by side, so a cost that grows with the data shows as a ratio. Also what a large
 * account export costs the server (time, memory) and everyone else (/api/me while four run).
 *
 *   node --import tsx bench/growth.ts [--db|--database sqlite|postgres] [--small-users 1000]
 *     [--small-messages 10000] [--large-users 100000] [--large-messages 1000000]
 *     [--repeat-calls 600] [--calls 200] [--kdf-calls 10] [--concurrency 2]
 *     [--kdf-concurrency 1] [--case-seconds 12] [--rebuild] [--skip-export] [--only TEXT[|TEXT...]]
 *     [--keep]
 *
 * Data. The databases (bench/lib/growth-data.ts) are built by bulk insert in the real schema:
 * the server's own migrations, then large multi-row INSERTs in transactions. User 1 is the heavy
 * user: a quarter of all messages (250k at the large size), a fifth as many audit events as
 * messages (200k) and users/20 live sessions (5,000) beside as many ended ones. Every user
 * shares one scrypt hash made at the server's cost, so logins are real; every verified user has
 * four live sessions, a used verify code, three audit events and a sent mail in the outbox.
 * SQLite databases are cached under the temp folder (bench/lib/growth-store.ts) and each run
 * works on a copy; with --db postgres each size gets a database of its own,
 * mux1_bench_growth_<random>, built and dropped by the run. The 1M users / 5M messages case:
 * --large-users 1000000 --large-messages 5000000 (its exports need several GB: --skip-export).
 * `--only 'GET /metrics|verify'` measures only the cases whose names contain one of the texts.
 * `--keep` leaves the databases (the PostgreSQL ones, the SQLite copies) and prints where, to
 * EXPLAIN a case's queries against the data it ran on; drop them by hand afterwards.
 *
 * Servers. Both - small and large - run at once, each the real server in a child process of its
 * own (started with --expose-gc, so its memory can be read after a collection), on its own data,
 * with the product's scrypt cost and every abuse limit raised out of the way; every request
 * comes from an address of its own (X-Forwarded-For, TRUST_PROXY on), as from many people.
 *
 * Calls. CASES below is the table of every route and event and how to call it. Each is called
 * `--repeat-calls` times when a call uses nothing up, `--calls` times when each call takes a
 * fixture of its own (a code, a session, an account: the same fixture number on both
 * databases), `--kdf-calls` times at `--kdf-concurrency` when it hashes a password; after a
 * warm-up (20, or 2). Each call number is made on both sides in turn (small then large, large
 * then small for the next) by `--concurrency` workers, so both servers are measured over the
 * same moments and a stall of the shared machine weighs on both alike; with two workers a
 * server mostly has one call at a time, so a stall of one server delays few calls. A case whose
 * calls use nothing up is called in `--rounds` (5) rounds of `--repeat-calls`, and its ratios are
 * the median of the rounds' ratios (roundsOf says why); so are the fixture cases whose fixtures
 * last that long (logout, DELETE /api/sessions/:id, socket authenticate {token}) and `typing`
 * (each round types in the same rooms, a second later), in rounds of `--calls`. A slow route's
 * rounds are cut (to 100 calls at least) so that they fit in `--case-seconds` and a half, and no
 * call starts after twice `--case-seconds` (a round cut short there is left out of the median;
 * a route grown to a second a call is measured on fewer calls and rounds; the table says how
 * many). A case whose median misses is called again, `--rounds` rounds more (a hashing case, one
 * round of `--kdf-calls` one at a time: two more), and judged on the median of all its rounds
 * (confirmingRoundsOf says why). Socket events are timed from emit to acknowledgement (to
 * arrival in the room for `typing`), on sockets kept inside the server's per-socket budgets.
 *
 * Targets: large p50 and p99 within 1.2x of small; within 1.1x for the routes that hash a
 * password (KDF-bound: the hash, the same at any size, is most of their time, so growth that
 * matters shows as a smaller ratio). The noise floor of the machine: run with the large sizes
 * equal to the small ones; every ratio should then be 1, and how far they stray is the noise.
 *
 * Export, on each size: one GET /api/account/export of the heavy user (time, size, the server's
 * RSS growth from after a collection to the peak, sampled every 20 ms from /proc); then /api/me,
 * 50 a second on schedule from 200 users in turn, idle (200 calls) and while four exports of the
 * heavy user run at once (again, until they have run 4 s: 200 calls or more), in five rounds;
 * the ratio is the median of the rounds' ratios. The exports are downloaded by a child process at
 * the lowest priority, reading into one buffer, as by other people's machines, so their bytes do
 * not delay the probes' event loop or the server's. Targets (large): RSS growth
 * < 50 MB; /api/me p99 during the exports within 2x of idle.
 *
 * Figures go out as BENCH_RESULT lines (figure 10), so `npm run bench` shows them; the bench
 * prints its own tables too. A missed target is a result; a failed call is reported and fails its
 * route's target, and the bench goes on.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { cpus, loadavg, setPriority } from 'node:os';
import { settings } from '../config/index.js';
import { startMux1, type BenchServer } from './lib/mux1.js';
import { emit, type Figure } from './lib/report.js';
import { forkRole, isRole, serveRole, type Child } from './lib/rpc.js';
import { intFlag, median, percentile, round, sleep } from './lib/stats.js';
import {
  downloadDiscarding,
  emitOk,
  expectStatus,
  failureText,
  HttpClient,
  openSocket,
  probeAtRate,
  rssOf,
  sampleRss,
  SocketPool,
  mergeTimings,
  SOCKET_REQUEST_GAP_MS,
  noTimings,
  record,
  runCalls,
  timed,
  type Timings,
} from './lib/growth-calls.js';
import {
  CODE,
  emailOf,
  freshenUnverified,
  GROWTH_SECRET_KEY,
  KDF_POOL,
  layoutFor,
  nth,
  ORDINARY_IN_TURN,
  PASSWORD,
  SESSION_OP_FIXTURES,
  sessionIdOf,
  sessionOpOf,
  tokenOf,
  usernameOf,
  type Facts,
  type Layout,
  type Sizes,
} from './lib/growth-data.js';
import { postgresDatabase, sqliteDatabase, type BenchDatabase } from './lib/growth-store.js';

const ROLE = 'growth-server';
const DOWNLOADER = 'growth-downloader';
const METRICS_TOKEN = 'growth-bench-metrics-token';
const NEW_PASSWORD = 'Growth bench: a new passphrase, 7 orbits of the lantern';
const WARMUP = 20;
const KDF_WARMUP = 2;
/** Rounds of `--kdf-calls` a hashing case runs again after a miss (confirmingRoundsOf). */
const KDF_CONFIRMING_ROUNDS = 2;
const TARGET = 1.2;
const KDF_TARGET = 1.1;
const EXPORT_RSS_TARGET_MB = 50;
const ME_DURING_EXPORTS_TARGET = 2;
/** /api/me probes: 50 a second, 200 of them idle, from ordinary users in turn. */
const ME_PROBE_INTERVAL_MS = 20;
const ME_IDLE_CALLS = 200;
/** Rounds of idle probes and four exports with probes, on each size. */
const ME_ROUNDS = 5;
const FIGURE = 10;

// ---------------------------------------------------------------------------------------------
// The server (child process)

function serverRole(): void {
  let server: BenchServer | undefined;
  serveRole(
    {
      async start({ env, logN, dir }: { env: Record<string, string>; logN: number; dir: string }) {
        server = await startMux1({ logN, env, dir });
        return { url: server.url };
      },
      gc() {
        for (let i = 0; i < 3; i++) globalThis.gc?.();
        return process.memoryUsage().rss;
      },
      async close() {
        await server?.close();
      },
    },
    4 * 3600_000,
  );
}

/**
 * The exporting clients, in a process of their own: as on a real server they are other people's
 * machines, so the bytes they take in never delay the /api/me probes, which the bench process
 * times. For the same reason every thread of it runs at the lowest priority, and it takes the
 * bodies in without allocating: on two cores its garbage collector's threads (Node's HTTP client
 * made a Buffer of every chunk of four 58 MB bodies) held the server's event loop off a core for
 * up to 9 ms at a time, and still ran for over half the server's waits for a core when niced
 * (`perf sched timehist`), which a client elsewhere cannot do. A process's niceness is its
 * threads' on Linux, each set on its own; V8's threads already run.
 */
function downloaderRole(): void {
  const threads = process.platform === 'linux' ? readdirSync('/proc/self/task').map(Number) : [0];
  for (const thread of threads) setPriority(thread, 19);
  serveRole(
    {
      ready: () => true,
      export: ({ url, token }: { url: string; token: string }) =>
        downloadDiscarding(url, '/api/account/export', token),
    },
    4 * 3600_000,
  );
}

// ---------------------------------------------------------------------------------------------
// One database and its server, as the cases see it

interface Side {
  label: 'small' | 'large';
  facts: Facts;
  layout: Layout;
  child: Child;
  http: HttpClient;
  url: string;
  /** Sockets a case set up, by the case's name. */
  sockets: Map<string, SocketPool>;
}

const heavyToken = (k = 0) => tokenOf(1, k);

interface Case {
  name: string;
  /** KDF-bound: a password hash per call, so fewer calls and the 1.1x target. */
  kdf?: boolean;
  /** Each call uses up a fixture of a pool (POOL, warm-up included), so `--calls` of them. */
  pooled?: boolean;
  /** Fixtures the pool holds in all, warm-up included, when more than one round's: the case
   * then runs in as many rounds as they allow (at most `--rounds`). */
  poolHolds?: number;
  /** Runs before the case's calls on each side (sockets to open, rooms to join). */
  prepare?(side: Side): Promise<void>;
  /** Renews a pooled case's pool before each round after the first; the case runs in rounds. */
  prepareRound?(side: Side): Promise<void>;
  /** One call; resolves to its time in ms and throws when the answer is wrong. */
  call(side: Side, i: number): Promise<number>;
}

/** A REST call expected to answer `status`, timed from request to the last byte of the answer. */
function rest(
  method: string,
  path: (side: Side, i: number) => string,
  status: number,
  options: (
    side: Side,
    i: number,
  ) => { token?: string; json?: unknown; headers?: Record<string, string> } = () => ({}),
): Case['call'] {
  return async (side, i) => {
    const p = path(side, i);
    const t0 = performance.now();
    const answer = await side.http.call(method, p, options(side, i));
    const ms = performance.now() - t0;
    expectStatus(answer, status, `${method} ${p}`);
    return ms;
  };
}

const fixed = (p: string) => () => p;
const runTag = randomBytes(3).toString('hex');
/** One server key for every server of the run (PostgreSQL has no key file beside it), the one the
 * built databases' mailed codes are keyed with. */
const SECRET_KEY = GROWTH_SECRET_KEY;

/** Signed-in sockets for rooms, history and messages: readers 0-39, each in a room of its own. */
async function chatPool(side: Side): Promise<SocketPool> {
  const existing = side.sockets.get('chat');
  if (existing) return existing;
  const opened = await Promise.all(
    Array.from({ length: 40 }, (_, k) =>
      openSocket(side.url, { token: tokenOf(nth(side.layout.readers, k), 0) }),
    ),
  );
  if (opened.some((o) => !o.signedIn)) throw new Error('a reader token did not sign in');
  const pool = new SocketPool(opened.map((o) => o.socket));
  await Promise.all(opened.map((o, k) => emitOk(o.socket, 'join', { room: `m-${k}` })));
  side.sockets.set('chat', pool);
  return pool;
}

/** A socket's message budget (server/realtime/limits.ts), with room to spare. */
const MESSAGE_GAP_MS = 220;
const TYPING_PAIRS = 10;
/** Rooms per typing pair: WARMUP + one round of calls types in each (pair, room) once. */
const TYPING_ROOMS = 22;
/** Typing is relayed once a second per socket and room (server/realtime/limits.ts): between
 * rounds, which type in the same rooms again, a little more than that passes. */
const TYPING_ROUND_GAP_MS = 1100;
const GUESTS = 55;

/** Ordinary users in turn, where calls should come from many people (exports, /api/me probes). */
const ordinary = (side: Side, i: number) => side.layout.ordinaryFrom + (i % ORDINARY_IN_TURN);

/** Guest sockets for `authenticate {token}`, in place of the ones before. */
async function openGuests(side: Side): Promise<void> {
  side.sockets.get('guests')?.close();
  const guests = await Promise.all(Array.from({ length: GUESTS }, () => openSocket(side.url)));
  side.sockets.set('guests', new SocketPool(guests.map((g) => g.socket)));
}

const typingWaiters = new WeakMap<Side, Map<string, () => void>>();

const CASES: Case[] = [
  // Reads that do not depend on who asks.
  { name: 'GET /api/health', call: rest('GET', fixed('/api/health'), 200) },
  { name: 'GET /api/server-status', call: rest('GET', fixed('/api/server-status'), 200) },
  { name: 'GET /api/challenge', call: rest('GET', fixed('/api/challenge'), 200) },
  {
    name: 'GET /metrics',
    call: rest('GET', fixed('/metrics'), 200, () => ({
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })),
  },
  { name: 'GET / (the page)', call: rest('GET', fixed('/'), 200) },
  // The heavy user's own reads: what grows with an account.
  {
    name: 'GET /api/me (heavy user)',
    call: rest('GET', fixed('/api/me'), 200, () => ({ token: heavyToken() })),
  },
  {
    name: 'GET /api/sessions (heavy user)',
    call: rest('GET', fixed('/api/sessions'), 200, () => ({ token: heavyToken() })),
  },
  {
    name: 'GET /api/account/activity (heavy user, newest)',
    call: rest('GET', fixed('/api/account/activity'), 200, () => ({ token: heavyToken() })),
  },
  {
    name: 'GET /api/account/activity?before= (heavy, middle)',
    call: rest(
      'GET',
      (s) => `/api/account/activity?before=${s.facts.heavyMidEventId}`,
      200,
      () => ({
        token: heavyToken(),
      }),
    ),
  },
  {
    // Typical users in turn: each export adds an event to what the next export of that user holds.
    name: 'GET /api/account/export (typical users)',
    call: rest('GET', fixed('/api/account/export'), 200, (s, i) => ({
      token: tokenOf(ordinary(s, i), 1),
    })),
  },
  // Writes, each call on a fixture of its own where it uses one up.
  {
    name: 'POST /api/password/forgot',
    call: rest('POST', fixed('/api/password/forgot'), 200, (s, i) => ({
      json: { email: emailOf(nth(s.layout.forgot, i % s.layout.forgot.count)) },
    })),
  },
  {
    name: 'POST /api/resend-verification',
    call: rest('POST', fixed('/api/resend-verification'), 200, (s, i) => ({
      json: { email: emailOf(nth(s.layout.resend, i % s.layout.resend.count)) },
    })),
  },
  {
    name: 'POST /api/verify-email',
    pooled: true,
    call: rest('POST', fixed('/api/verify-email'), 200, (s, i) => ({
      json: { email: emailOf(nth(s.layout.verify, i)), code: CODE },
    })),
  },
  // The session pool: logout ends s2, DELETE ends s1 from s0, then revoke-others ends s3 - in this
  // order. Logout and DELETE have sessions of their own for each round (sessionOpOf);
  // revoke-others ends every session but s0, so it runs once.
  {
    name: 'POST /api/logout',
    pooled: true,
    poolHolds: SESSION_OP_FIXTURES,
    call: rest('POST', fixed('/api/logout'), 204, (s, i) => {
      const op = sessionOpOf(s.layout, i);
      return { token: tokenOf(op.user, op.logout) };
    }),
  },
  {
    name: 'DELETE /api/sessions/:id',
    pooled: true,
    poolHolds: SESSION_OP_FIXTURES,
    call: rest(
      'DELETE',
      (s, i) => {
        const op = sessionOpOf(s.layout, i);
        return `/api/sessions/${sessionIdOf(op.user, op.revoked)}`;
      },
      204,
      (s, i) => ({ token: tokenOf(sessionOpOf(s.layout, i).user, 0) }),
    ),
  },
  {
    name: 'POST /api/sessions/revoke-others',
    pooled: true,
    call: rest('POST', fixed('/api/sessions/revoke-others'), 200, (s, i) => ({
      token: tokenOf(nth(s.layout.sessionOps, i), 0),
    })),
  },
  // A password hash per call.
  {
    name: 'POST /api/signup',
    kdf: true,
    call: rest('POST', fixed('/api/signup'), 201, (_s, i) => ({
      json: { username: `new-${runTag}-${i}`, email: `new-${runTag}-${i}@growth.test`, password: PASSWORD },
    })),
  },
  {
    name: 'POST /api/login',
    kdf: true,
    poolHolds: KDF_POOL,
    call: rest('POST', fixed('/api/login'), 200, (s, i) => ({
      json: { username: usernameOf(nth(s.layout.login, i)), password: PASSWORD },
    })),
  },
  {
    name: 'POST /api/password/change (two hashes)',
    kdf: true,
    poolHolds: KDF_POOL,
    call: rest('POST', fixed('/api/password/change'), 200, (s, i) => ({
      token: tokenOf(nth(s.layout.change, i), 0),
      json: { current_password: PASSWORD, password: NEW_PASSWORD },
    })),
  },
  {
    name: 'POST /api/password/reset',
    kdf: true,
    poolHolds: KDF_POOL,
    call: rest('POST', fixed('/api/password/reset'), 200, (s, i) => ({
      json: { email: emailOf(nth(s.layout.reset, i)), code: CODE, password: NEW_PASSWORD },
    })),
  },
  {
    name: 'DELETE /api/account',
    kdf: true,
    poolHolds: KDF_POOL,
    call: rest('DELETE', fixed('/api/account'), 204, (s, i) => ({
      token: tokenOf(nth(s.layout.remove, i), 0),
      json: { password: PASSWORD },
    })),
  },
  // Socket.IO.
  {
    name: 'socket: connect (token at the handshake)',
    async call(side, i) {
      const reader = nth(side.layout.readers, i % side.layout.readers.count);
      const t0 = performance.now();
      const { socket, signedIn } = await openSocket(side.url, { token: tokenOf(reader, 3) });
      const ms = performance.now() - t0;
      socket.disconnect();
      if (!signedIn) throw new Error('connect: the token did not sign in');
      return ms;
    },
  },
  {
    name: 'socket: authenticate {token}',
    // A socket may sign in five times a minute (server/realtime/limits.ts): each round has guests
    // of its own, four sign-ins each.
    pooled: true,
    prepare: openGuests,
    prepareRound: openGuests,
    call: (side, i) =>
      side.sockets.get('guests')!.use(
        'authenticate',
        0,
        (socket) => {
          const reader = nth(side.layout.readers, i % side.layout.readers.count);
          return timed(() => emitOk(socket, 'authenticate', { token: tokenOf(reader, 2) }));
        },
        i % GUESTS,
      ),
  },
  {
    name: 'socket: authenticate {username, password}',
    kdf: true,
    poolHolds: KDF_POOL,
    async call(side, i) {
      const { socket } = await openSocket(side.url, { address: `10.250.${(i >> 8) & 255}.${i & 255}` });
      try {
        const user = usernameOf(nth(side.layout.socketLogin, i));
        return await timed(() => emitOk(socket, 'authenticate', { username: user, password: PASSWORD }));
      } finally {
        socket.disconnect();
      }
    },
  },
  // A join and a leave a call, one of them timed, so a socket is in one room more at most and any
  // number of rounds stays inside the per-socket room limit (CHAT.roomsPerSocket). Each call on
  // the next socket in turn, at twice the request gap: two requests a call.
  {
    name: 'socket: join',
    prepare: (side) => chatPool(side).then(() => undefined),
    call: (side, i) =>
      side.sockets.get('chat')!.use(
        'request',
        2 * SOCKET_REQUEST_GAP_MS,
        async (socket) => {
          const ms = await timed(() => emitOk(socket, 'join', { room: `j-${i}` }));
          await emitOk(socket, 'leave', { room: `j-${i}` });
          return ms;
        },
        i % side.sockets.get('chat')!.size,
      ),
  },
  {
    name: 'socket: leave',
    prepare: (side) => chatPool(side).then(() => undefined),
    call: (side, i) =>
      side.sockets.get('chat')!.use(
        'request',
        2 * SOCKET_REQUEST_GAP_MS,
        async (socket) => {
          await emitOk(socket, 'join', { room: `l-${i}` });
          return timed(() => emitOk(socket, 'leave', { room: `l-${i}` }));
        },
        i % side.sockets.get('chat')!.size,
      ),
  },
  {
    name: 'socket: history (lobby, newest)',
    call: (side) =>
      side.sockets
        .get('chat')!
        .use('request', SOCKET_REQUEST_GAP_MS, (socket) =>
          timed(() => emitOk(socket, 'history', { room: 'lobby' })),
        ),
  },
  {
    name: 'socket: history (lobby, middle)',
    call: (side) =>
      side.sockets
        .get('chat')!
        .use('request', SOCKET_REQUEST_GAP_MS, (socket) =>
          timed(() => emitOk(socket, 'history', { room: 'lobby', before: side.facts.midMessageId })),
        ),
  },
  {
    name: 'socket: message',
    call: (side, i) =>
      side.sockets
        .get('chat')!
        .use('message', MESSAGE_GAP_MS, (socket, k) =>
          timed(() => emitOk(socket, 'message', { room: `m-${k}`, text: `growth bench message ${i}` })),
        ),
  },
  {
    // No acknowledgement: timed until the other socket in the room hears it. Each (socket, room)
    // pair types once a round, inside the one-a-second budget: a round waits it out first.
    name: 'socket: typing (to the room)',
    pooled: true,
    prepareRound: () => sleep(TYPING_ROUND_GAP_MS),
    async prepare(side) {
      const waiters = new Map<string, () => void>();
      typingWaiters.set(side, waiters);
      const open = (k: number) => openSocket(side.url, { token: tokenOf(nth(side.layout.readers, k), 1) });
      const pairs = await Promise.all(
        Array.from(
          { length: TYPING_PAIRS },
          async (_, k) => [await open(40 + k), await open(50 + k)] as const,
        ),
      );
      await Promise.all(
        pairs.flatMap(([sender, listener], k) =>
          [sender, listener].map(async ({ socket }) => {
            for (let j = 0; j < TYPING_ROOMS; j++) {
              await emitOk(socket, 'join', { room: `t-${k}-${j}` });
              await sleep(SOCKET_REQUEST_GAP_MS);
            }
          }),
        ),
      );
      for (const [, listener] of pairs) {
        listener.socket.on('typing', ({ room }: { room: string }) => waiters.get(room)?.());
      }
      side.sockets.set('typing', new SocketPool(pairs.map(([sender]) => sender.socket)));
      side.sockets.set('typing-listeners', new SocketPool(pairs.map(([, listener]) => listener.socket)));
    },
    call: (side, i) =>
      side.sockets.get('typing')!.use(
        'typing',
        0,
        async (socket) => {
          const room = `t-${i % TYPING_PAIRS}-${Math.floor(i / TYPING_PAIRS) % TYPING_ROOMS}`;
          const waiters = typingWaiters.get(side)!;
          const t0 = performance.now();
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`typing in ${room} never arrived`)), 10_000);
            waiters.set(room, () => {
              clearTimeout(timer);
              resolve();
            });
            socket.emit('typing', { room });
          });
          waiters.delete(room);
          return performance.now() - t0;
        },
        i % TYPING_PAIRS,
      ),
  },
];

// ---------------------------------------------------------------------------------------------
// Measuring

interface Row {
  name: string;
  kdf: boolean;
  /** Every round's calls together: the times the table shows. */
  small: Timings;
  large: Timings;
  calls: number;
  concurrency: number;
  /** Each round's large/small ratios, when the case was called in rounds (ROUNDS). */
  rounds?: { p50: number; p99: number }[];
  /** Of `rounds`, how many were run because the first ones missed (confirmingRoundsOf). */
  confirming?: number;
}

const p = (t: Timings, q: number) => percentile(t.ms, q);
const ms = (x: number) =>
  Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : '-';
/** Calls timed: one number when both sides made them all, else small/large; and the rounds. */
const callsMade = (row: Row) => {
  const made = (t: Timings) => t.ms.length + t.failures;
  const calls =
    made(row.small) === row.calls && made(row.large) === row.calls
      ? String(row.calls)
      : `${made(row.small)}/${made(row.large)}`;
  const rounds = row.rounds?.length ?? 1;
  if (row.confirming) return `${calls} (${rounds - row.confirming} + ${row.confirming} rounds)`;
  return rounds > 1 ? `${calls} (${rounds} rounds)` : calls;
};
const targetOf = (row: Row) => (row.kdf ? KDF_TARGET : TARGET);
const ratiosOf = (small: Timings, large: Timings) => ({
  p50: p(large, 0.5) / p(small, 0.5),
  p99: p(large, 0.99) / p(small, 0.99),
});
/** The median of the rounds' ratios, or the ratio of all calls when there was one round. */
const ratios = (row: Row) =>
  row.rounds && row.rounds.length > 1
    ? { p50: median(row.rounds.map((r) => r.p50)), p99: median(row.rounds.map((r) => r.p99)) }
    : ratiosOf(row.small, row.large);
const holds = (row: Row) => {
  const r = ratios(row);
  return row.small.failures + row.large.failures === 0 && r.p50 <= targetOf(row) && r.p99 <= targetOf(row);
};

/**
 * Each call number is made on both sides, one after the other - small first for even numbers,
 * large first for odd ones - by `concurrency` workers at once, so both servers are measured over
 * the same moments and a stall of the shared machine lands on both alike. Call numbers are the
 * fixture numbers: each call that uses a fixture up has one of its own, on each database.
 */
const callsOf = (c: Case, flags: Flags) =>
  c.kdf ? flags.kdfCalls : c.pooled ? flags.calls : flags.repeatCalls;
/**
 * A case whose calls use nothing up is called in `--rounds` rounds of its calls, and its ratios
 * are the median of the rounds' ratios: a p99 of 600 calls of a route that answers in a fraction
 * of a millisecond is its six slowest calls, which a collector's pause or a wait for a core on
 * one side decides, whatever the size of the data. A ratio that grows with the data grows in
 * every round. So does a case that uses fixtures up where its pool holds them (`poolHolds`) or
 * is renewed each round (`prepareRound`); the other pooled cases (their pools hold `--calls`)
 * and those that hash a password run once (the latter two more times after a miss:
 * confirmingRoundsOf).
 */
function roundsOf(c: Case, flags: Flags): number {
  if (c.kdf) return 1;
  return Math.max(1, Math.min(flags.rounds, roundsThePoolHolds(c, flags.calls)));
}
/**
 * Rounds of `calls` a case's fixtures last after its warm-up: no end when its calls use nothing
 * up or its pool is renewed each round, one for a pool that holds one round's.
 */
function roundsThePoolHolds(c: Case, calls: number): number {
  if (c.prepareRound || (!c.pooled && !c.poolHolds)) return Infinity;
  if (!c.poolHolds) return 1;
  return Math.floor((c.poolHolds - (c.kdf ? KDF_WARMUP : WARMUP)) / calls);
}
/**
 * Rounds a case runs again when the median of its first rounds misses, judged then on the median
 * of all its rounds: `--rounds` more, or for a case that hashes passwords (one round of ten calls,
 * its p99 the slowest of ten) KDF_CONFIRMING_ROUNDS more; fewer where its pool runs out. On this
 * two-core machine a round's p99 ratio of a sub-millisecond call is whichever side a stall of a
 * few milliseconds fell on (`socket: typing`, which reads nothing from the database, in two runs
 * the same morning: 4.91, 1.63, 5.48, 1.94, 0.43 and 1.72, 0.20, 0.54, 0.51, 1.06), and its
 * median of five missed in two of the first three full runs of 2026-12-01. A cost that grows with
 * the data grows in every round, and its median of ten misses as its median of five did; noise
 * seldom holds one side that long. Every round a case runs is judged (none is dropped), and the
 * table says how many were confirming ones.
 */
function confirmingRoundsOf(c: Case, flags: Flags, perRoundCalls: number, roundsRun: number): number {
  const wanted = c.kdf ? KDF_CONFIRMING_ROUNDS : roundsRun > 1 ? flags.rounds : 0;
  return Math.max(0, Math.min(wanted, roundsThePoolHolds(c, perRoundCalls) - roundsRun));
}
const concurrencyOf = (c: Case, flags: Flags) => (c.kdf ? flags.kdfConcurrency : flags.concurrency);

/**
 * The fewest calls a round of a case in rounds is cut to: a nearest-rank p99 of 100 to 199
 * calls is the second slowest, as likely to be a stall as any other p99.
 */
const MIN_ROUND_CALLS = 100;

/**
 * Calls a round, so that a slow route's rounds fit in `--case-seconds` and a half (the deadline is
 * twice it): a route of 30-50 ms a call (an export) ran two rounds of 600, or 350 on SQLite, and
 * then met the deadline, and a median of two is their mean, which one unlucky round decides. Cut to what fits, never
 * below MIN_ROUND_CALLS; `msPerCall` is the warm-up's wall time per call (both sides).
 */
function roundCalls(calls: number, rounds: number, msPerCall: number, flags: Flags): number {
  if (rounds < 2) return calls;
  const fit = Math.floor((flags.caseSeconds * 1500) / rounds / msPerCall);
  return Math.min(calls, Math.max(MIN_ROUND_CALLS, fit));
}

function failedRow(c: Case, flags: Flags, err: Error): Row {
  console.error(`${c.name}: could not be measured: ${err.message}`);
  const failed = (): Timings => ({ ms: [], failures: 1, failed: { [err.message.slice(0, 120)]: 1 } });
  return {
    name: c.name,
    kdf: !!c.kdf,
    small: failed(),
    large: failed(),
    calls: callsOf(c, flags) * roundsOf(c, flags),
    concurrency: concurrencyOf(c, flags),
  };
}

async function measureCase(c: Case, sides: Side[], flags: Flags): Promise<Row> {
  const calls = callsOf(c, flags);
  const concurrency = concurrencyOf(c, flags);
  const warmup = c.kdf ? KDF_WARMUP : WARMUP;
  const started = performance.now();
  const result = { small: noTimings(), large: noTimings() };
  for (const side of sides) await c.prepare?.(side);
  const both = (into: Record<Side['label'], Timings> | undefined) => async (i: number) => {
    for (const side of i % 2 ? [...sides].reverse() : sides) {
      await record(into?.[side.label], () => c.call(side, i));
    }
  };
  const warmupStarted = performance.now();
  await runCalls(0, warmup, concurrency, both(undefined));
  const rounds = roundsOf(c, flags);
  const perRoundCalls = roundCalls(calls, rounds, (performance.now() - warmupStarted) / warmup, flags);
  const perRound: { p50: number; p99: number }[] = [];
  let roundsRun = 0;
  /** Runs `count` more rounds, none started after twice --case-seconds from now. */
  const runRounds = async (count: number) => {
    const deadline = performance.now() + 2 * flags.caseSeconds * 1000;
    for (let k = 0; k < count && (k === 0 || performance.now() < deadline); k++, roundsRun++) {
      if (roundsRun > 0 && c.prepareRound) for (const side of sides) await c.prepareRound(side);
      const inRound = { small: noTimings(), large: noTimings() };
      const from = warmup + roundsRun * perRoundCalls;
      await runCalls(from, from + perRoundCalls, concurrency, both(inRound), deadline);
      for (const t of Object.values(inRound)) t.ms.sort((a, b) => a - b);
      // A later round the deadline cut short is too few calls for a p99 of its own.
      const made = inRound.small.ms.length + inRound.small.failures;
      if (roundsRun === 0 || made === perRoundCalls) perRound.push(ratiosOf(inRound.small, inRound.large));
      for (const label of ['small', 'large'] as const) mergeTimings(result[label], inRound[label]);
    }
  };
  const rowSoFar = (): Row => {
    for (const t of Object.values(result)) t.ms.sort((a, b) => a - b);
    return {
      name: c.name,
      kdf: !!c.kdf,
      small: result.small,
      large: result.large,
      calls: perRoundCalls * roundsRun,
      concurrency,
      rounds: perRound,
    };
  };
  await runRounds(rounds);
  let row = rowSoFar();
  const more = confirmingRoundsOf(c, flags, perRoundCalls, roundsRun);
  if (!holds(row) && more > 0 && row.small.failures + row.large.failures === 0) {
    const first = perRound.length;
    await runRounds(more);
    row = { ...rowSoFar(), confirming: perRound.length - first };
  }
  const r = ratios(row);
  const failures = (['small', 'large'] as const)
    .filter((label) => row[label].failures)
    .map((label) => `${label} failed: ${failureText(row[label])}`);
  console.log(
    `${c.name}: p50/p99 small ${ms(p(row.small, 0.5))}/${ms(p(row.small, 0.99))} ms, ` +
      `large ${ms(p(row.large, 0.5))}/${ms(p(row.large, 0.99))} ms, ratio ${r.p50.toFixed(2)}/${r.p99.toFixed(2)}` +
      ` (<= ${targetOf(row)}) ${holds(row) ? 'holds' : 'MISSED'}; ${callsMade(row)} calls in ${((performance.now() - started) / 1000).toFixed(0)} s` +
      (failures.length ? '; ' + failures.join('; ') : ''),
  );
  return row;
}

interface ExportFigures {
  label: Side['label'];
  exportMs: number;
  exportMb: number;
  rssBeforeMb: number;
  rssGrowthMb: number;
  meIdle: Timings;
  meDuring: Timings;
  /** Each round's /api/me p99 during four exports over its idle p99. */
  meRounds: number[];
  /** The slowest round's four exports, and the most RSS they added. */
  fourExportsS: number;
  fourRssGrowthMb: number;
  failures: string[];
}

const MB = 1024 * 1024;

/**
 * One export of the heavy user alone, then /api/me probed at a steady rate, idle and while four
 * exports of the heavy user run at once. Each probe is from another user (ordinary users,
 * session 0), as many people use a server, so a probe asks the database for its session
 * unless the server remembers it.
 */
async function measureExports(side: Side): Promise<ExportFigures> {
  const failures: string[] = [];
  const downloader = forkRole(import.meta.url, DOWNLOADER);
  const exportOnce = async (k: number) => {
    const answer = await downloader.call<{ status: number; bytes: number }>(
      'export',
      { url: side.url, token: heavyToken(k) },
      600_000,
    );
    if (answer.status !== 200) failures.push(`export answered ${answer.status}`);
    return answer.bytes;
  };
  const probes = new HttpClient(side.url, 512);
  const me = async (i: number) => {
    const token = tokenOf(ordinary(side, i), 0);
    const t0 = performance.now();
    const answer = await probes.call('GET', '/api/me', { token });
    expectStatus(answer, 200, 'GET /api/me');
    return performance.now() - t0;
  };

  try {
    await downloader.call('ready', undefined, 60_000); // started before anything is timed
    await side.child.call('gc');
    await sleep(200);
    const rssBefore = rssOf(side.child.pid);
    let sampler = sampleRss(side.child.pid);
    const t0 = performance.now();
    const bytes = await exportOnce(0);
    const exportMs = performance.now() - t0;
    const rssPeak = sampler.stop();

    // Idle, then during four exports, in rounds: the ratio is the median of the rounds' ratios,
    // so one unlucky idle p99 (each is 200 calls) does not decide it.
    const meIdle = noTimings();
    const meDuring = noTimings();
    const meRounds: number[] = [];
    let fourExportsS = 0;
    let fourRssGrowth = 0;
    for (let r = 0; r < ME_ROUNDS; r++) {
      const idle = await probeAtRate(ME_PROBE_INTERVAL_MS, me, () => false, ME_IDLE_CALLS);
      await side.child.call('gc');
      await sleep(200);
      const rssBeforeFour = rssOf(side.child.pid);
      sampler = sampleRss(side.child.pid);
      // Four exports at once, again until they have run as long as the idle probes did: both
      // p99s are then of about as many calls (on a small database four take a fraction of a
      // second, and a p99 of a few dozen calls is their slowest).
      let running = true;
      const until = performance.now() + ME_IDLE_CALLS * ME_PROBE_INTERVAL_MS;
      const four = (async () => {
        do {
          const t1 = performance.now();
          await Promise.all([0, 1, 2, 3].map(exportOnce));
          fourExportsS = Math.max(fourExportsS, (performance.now() - t1) / 1000);
        } while (performance.now() < until);
      })().finally(() => (running = false));
      const during = await probeAtRate(ME_PROBE_INTERVAL_MS, me, () => !running);
      await four;
      fourRssGrowth = Math.max(fourRssGrowth, sampler.stop() - rssBeforeFour);
      for (const t of [idle, during]) t.ms.sort((a, b) => a - b);
      meRounds.push(p(during, 0.99) / p(idle, 0.99));
      mergeTimings(meIdle, idle);
      mergeTimings(meDuring, during);
    }
    for (const t of [meIdle, meDuring]) t.ms.sort((a, b) => a - b);

    for (const t of [meIdle, meDuring]) if (t.failures) failures.push(`/api/me failed: ${failureText(t)}`);
    const figures: ExportFigures = {
      label: side.label,
      exportMs,
      exportMb: bytes / MB,
      rssBeforeMb: rssBefore / MB,
      rssGrowthMb: (rssPeak - rssBefore) / MB,
      meIdle,
      meDuring,
      meRounds,
      fourExportsS,
      fourRssGrowthMb: fourRssGrowth / MB,
      failures: [...new Set(failures)],
    };
    console.log(
      `export (${side.label}, heavy user): ${exportMs.toFixed(0)} ms, ${figures.exportMb.toFixed(1)} MB, ` +
        `RSS ${figures.rssBeforeMb.toFixed(0)} MB + ${figures.rssGrowthMb.toFixed(0)} MB; /api/me p99 idle ` +
        `${ms(p(meIdle, 0.99))} ms, during four exports ${ms(p(meDuring, 0.99))} ms (${meDuring.ms.length} calls, ` +
        `${fourExportsS.toFixed(1)} s, RSS + ${figures.fourRssGrowthMb.toFixed(0)} MB); rounds' ratios ` +
        meRounds.map((x) => x.toFixed(2)).join(', ') +
        (figures.failures.length ? `; ${figures.failures.join(', ')}` : ''),
    );
    return figures;
  } finally {
    probes.close();
    downloader.kill();
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting

function table(rows: Row[], sizes: { small: Sizes; large: Sizes }): string {
  const head = [
    'route / event',
    'calls',
    'small p50',
    'small p99',
    'large p50',
    'large p99',
    'ratio p50',
    'ratio p99',
    'target',
    '',
  ];
  const body = rows.map((row) => {
    const r = ratios(row);
    const failed = row.small.failures + row.large.failures;
    return [
      row.name,
      callsMade(row),
      ms(p(row.small, 0.5)),
      ms(p(row.small, 0.99)),
      ms(p(row.large, 0.5)),
      ms(p(row.large, 0.99)),
      r.p50.toFixed(2),
      r.p99.toFixed(2),
      `<= ${targetOf(row)}x`,
      (holds(row) ? 'holds' : '**MISS**') + (failed ? ` (${failed} failed)` : ''),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    `Times in ms; small = ${describe(sizes.small)}, large = ${describe(sizes.large)}. Ratios of a` +
      ` case called in rounds: the median of the rounds' ratios; its times: all its calls.`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}

const describe = (s: Sizes) =>
  `${s.users.toLocaleString('en-US')} users / ${s.messages.toLocaleString('en-US')} messages`;
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const dbNameOf = (db: Flags['db']) => (db === 'postgres' ? 'PostgreSQL' : 'SQLite');
const baselineOf = (sizes: { small: Sizes }) => `small: ${describe(sizes.small)}`;

function emitRowFigures(db: Flags['db'], rows: Row[], sizes: { small: Sizes; large: Sizes }): void {
  const dbName = dbNameOf(db);
  const baselineName = baselineOf(sizes);
  for (const row of rows) {
    const r = ratios(row);
    emit({
      id: `growth-${db}-${slug(row.name)}`,
      figure: FIGURE,
      name: `Growth (${dbName}): ${row.name}, p99 (p50 ratio ${r.p50.toFixed(2)})`,
      unit: 'ms',
      // A route with no successful call has no time: 0, and its target missed.
      value: round(p(row.large, 0.99) || 0, 2),
      baseline: round(p(row.small, 0.99) || 0, 2),
      baselineName,
      ratio: Number.isFinite(r.p99) ? round(r.p99) : null,
      ratioOf: 'large/small',
      target: `p50 and p99 ratio <= ${targetOf(row)}`,
      pass: holds(row),
      detail: {
        large: describe(sizes.large),
        p50: { small: round(p(row.small, 0.5), 3), large: round(p(row.large, 0.5), 3) },
        calls: { planned: row.calls, small: row.small.ms.length, large: row.large.ms.length },
        ...(row.rounds && row.rounds.length > 1
          ? { rounds: row.rounds.map((r) => ({ p50: round(r.p50), p99: round(r.p99) })) }
          : {}),
        concurrency: row.concurrency,
        ...(row.small.failures || row.large.failures
          ? { failures: { small: row.small.failed, large: row.large.failed } }
          : {}),
      },
    });
  }
}

function emitExportFigures(db: Flags['db'], exports: ExportFigures[], sizes: { small: Sizes }): void {
  const dbName = dbNameOf(db);
  const baselineName = baselineOf(sizes);
  const [small, large] = [exports.find((e) => e.label === 'small'), exports.find((e) => e.label === 'large')];
  if (!small || !large) return;
  const base = { figure: FIGURE, baselineName } as const;
  const extra = (e: ExportFigures) => ({
    exportMs: round(e.exportMs, 0),
    exportMb: round(e.exportMb, 1),
    rssBeforeMb: round(e.rssBeforeMb, 0),
    rssGrowthMb: round(e.rssGrowthMb, 0),
    meIdle: { p50: round(p(e.meIdle, 0.5), 2), p99: round(p(e.meIdle, 0.99), 2) },
    meDuring: {
      p50: round(p(e.meDuring, 0.5), 2),
      p99: round(p(e.meDuring, 0.99), 2),
      calls: e.meDuring.ms.length,
    },
    fourExportsS: round(e.fourExportsS, 1),
    fourRssGrowthMb: round(e.fourRssGrowthMb, 0),
    ...(e.failures.length ? { failures: e.failures } : {}),
  });
  const meRatio = median(large.meRounds);
  const figures: Figure[] = [
    {
      ...base,
      id: `growth-${db}-export-time`,
      name: `Growth (${dbName}): export of the heavy user (${large.exportMb.toFixed(1)} MB), time`,
      unit: 'ms',
      value: round(large.exportMs, 0),
      baseline: round(small.exportMs, 0),
      ratio: round(large.exportMs / small.exportMs),
      ratioOf: 'large/small',
      target: '-',
      pass: null,
      detail: { small: extra(small), large: extra(large) },
    },
    {
      ...base,
      id: `growth-${db}-export-rss`,
      name: `Growth (${dbName}): server RSS growth during one export of the heavy user`,
      unit: 'MB',
      value: round(large.rssGrowthMb, 1),
      baseline: round(small.rssGrowthMb, 1),
      ratio: null,
      ratioOf: null,
      target: `< ${EXPORT_RSS_TARGET_MB} MB`,
      pass: large.rssGrowthMb < EXPORT_RSS_TARGET_MB && large.failures.length === 0,
    },
    {
      ...base,
      id: `growth-${db}-me-during-exports`,
      name: `Growth (${dbName}): GET /api/me p99 during four exports of the heavy user`,
      unit: 'ms',
      value: round(p(large.meDuring, 0.99), 2),
      baseline: round(p(large.meIdle, 0.99), 2),
      baselineName: 'same server, idle',
      ratio: round(meRatio),
      ratioOf: 'during/idle',
      target: `ratio <= ${ME_DURING_EXPORTS_TARGET}`,
      pass: meRatio <= ME_DURING_EXPORTS_TARGET && large.failures.length === 0,
      detail: {
        probesPerS: 1000 / ME_PROBE_INTERVAL_MS,
        rounds: large.meRounds.map((x) => round(x)),
        small: extra(small),
        large: extra(large),
      },
    },
  ];
  figures.forEach(emit);
}

function exportTable(exports: ExportFigures[]): string {
  const head = [
    'export of the heavy user',
    'time',
    'size',
    'RSS before',
    'RSS growth',
    '/api/me p99 idle',
    'during 4 exports',
    '4 exports took',
    'RSS growth (4)',
  ];
  const body = exports.map((e) => [
    e.label,
    `${e.exportMs.toFixed(0)} ms`,
    `${e.exportMb.toFixed(1)} MB`,
    `${e.rssBeforeMb.toFixed(0)} MB`,
    `${e.rssGrowthMb.toFixed(0)} MB`,
    `${ms(p(e.meIdle, 0.99))} ms`,
    `${ms(p(e.meDuring, 0.99))} ms (${e.meDuring.ms.length} calls)`,
    `${e.fourExportsS.toFixed(1)} s`,
    `${e.fourRssGrowthMb.toFixed(0)} MB`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The run

interface Flags {
  db: 'sqlite' | 'postgres';
  small: Sizes;
  large: Sizes;
  calls: number;
  repeatCalls: number;
  /** Rounds of a case whose calls use nothing up (roundsOf). */
  rounds: number;
  concurrency: number;
  kdfCalls: number;
  kdfConcurrency: number;
  /** Seconds a route's calls may take, per side; a slower route is measured on fewer calls. */
  caseSeconds: number;
  rebuild: boolean;
  only?: string;
}

function flags(): Flags {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  // `--database` is the long name of `--db`.
  const db = arg('db') ?? arg('database') ?? 'sqlite';
  if (db !== 'sqlite' && db !== 'postgres') throw new Error('--db (--database) must be sqlite or postgres');
  // The server's configured cost: the bench measures what the product does.
  const logN = settings.scryptLogN.default;
  const sizes = (label: string, users: number, messages: number): Sizes => ({
    users: intFlag(`${label}-users`, users, 10_000_000),
    messages: intFlag(`${label}-messages`, messages, 50_000_000),
    logN,
  });
  return {
    db,
    small: sizes('small', 1000, 10_000),
    large: sizes('large', 100_000, 1_000_000),
    // The fixture pools hold 220 users per route (30 for the hashing ones), warm-up included.
    calls: intFlag('calls', 200, 200),
    // Socket join: every call is a room more for one of 40 sockets, which may be in 50.
    repeatCalls: intFlag('repeat-calls', 600, 1200),
    rounds: intFlag('rounds', 5, 20),
    concurrency: intFlag('concurrency', 2, 16),
    kdfCalls: intFlag('kdf-calls', 10, 28),
    // One at a time: with two in flight on two cores, a call's time hung on whether the other
    // worker's hash ran beside it, on the same server or the other (six hashing cases, run twice
    // each way: p99 ratios 0.96-1.04 one at a time, 0.94-1.11 two at a time, with nothing
    // growing), and their p99 is the slowest of ten.
    kdfConcurrency: intFlag('kdf-concurrency', 1, 8),
    caseSeconds: intFlag('case-seconds', 12, 600),
    rebuild: process.argv.includes('--rebuild'),
    only: arg('only'),
  };
}

async function startSide(label: Side['label'], db: BenchDatabase): Promise<Side> {
  const child = forkRole(import.meta.url, ROLE, { nodeArgs: ['--expose-gc'] });
  // The export limits out of the way (four exports of one account run at once here), and no
  // retention run in the middle of the measurements.
  const env = {
    DATABASE_URL: db.url,
    TRUST_PROXY: '1',
    METRICS_TOKEN,
    SECRET_KEY,
    EXPORTS_PER_HOUR: '1000',
    EXPORTS_AT_ONCE: '100',
    RETENTION_INTERVAL_MINUTES: '0',
  };
  const { url } = await child.call<{ url: string }>(
    'start',
    { env, logN: db.facts.sizes.logN, dir: db.dir },
    300_000,
  );
  return {
    label,
    facts: db.facts,
    layout: layoutFor(db.facts.sizes.users),
    child,
    http: new HttpClient(url),
    url,
    sockets: new Map(),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadStart = loadavg()[0]!;
  const f = flags();
  const log = (line: string) => console.log(line);
  const prepare = (sizes: Sizes) =>
    f.db === 'sqlite' ? sqliteDatabase(sizes, { rebuild: f.rebuild, log }) : postgresDatabase(sizes, log);

  const dbs: BenchDatabase[] = [];
  const sides: Side[] = [];
  try {
    dbs.push(await prepare(f.small));
    dbs.push(await prepare(f.large));
    const builtS = (performance.now() - started) / 1000;
    for (const db of dbs) await freshenUnverified(db.url, db.facts.sizes);
    sides.push(await startSide('small', dbs[0]!), await startSide('large', dbs[1]!));

    const sizes = { small: f.small, large: f.large };
    const dbName = dbNameOf(f.db);
    // A route that cannot be measured at all (its sockets would not open) is a row of failures,
    // and the run goes on: the server is being changed under this bench.
    const rows: Row[] = [];
    const only = f.only?.split('|');
    for (const c of CASES.filter((c) => !only || only.some((o) => c.name.includes(o)))) {
      rows.push(await measureCase(c, sides, f).catch((err: Error) => failedRow(c, f, err)));
    }
    for (const side of sides) for (const pool of side.sockets.values()) pool.close();
    console.log(`\nGrowth on ${dbName}: ${rows.filter(holds).length} of ${rows.length} hold`);
    console.log(table(rows, sizes));
    emitRowFigures(f.db, rows, sizes);

    const exports: ExportFigures[] = [];
    if (!process.argv.includes('--skip-export') && (!f.only || f.only === 'export')) {
      for (const side of sides) {
        try {
          exports.push(await measureExports(side));
        } catch (err) {
          console.error(`export (${side.label}): could not be measured: ${(err as Error).message}`);
          process.exitCode = 1;
        }
      }
      if (exports.length) console.log(`\n${exportTable(exports)}`);
      emitExportFigures(f.db, exports, sizes);
    }
    console.log(
      `\n${dbName}: databases ready in ${builtS.toFixed(0)} s (built: small ${dbs[0]!.facts.buildSeconds} s, ` +
        `large ${dbs[1]!.facts.buildSeconds} s); whole run ${((performance.now() - started) / 1000).toFixed(0)} s; ` +
        `${cpus().length} CPUs, load average ${loadStart.toFixed(2)} at start and ${loadavg()[0]!.toFixed(2)} at end`,
    );
  } finally {
    for (const side of sides) {
      for (const pool of side.sockets.values()) pool.close();
      side.http.close();
      await side.child.call('close', undefined, 30_000).catch(() => {});
      side.child.kill();
    }
    if (process.argv.includes('--keep')) for (const db of dbs) console.log(`kept: ${db.url}`);
    else for (const db of dbs) await db.dispose();
  }
}

if (isRole(ROLE)) serverRole();
else if (isRole(DOWNLOADER)) downloaderRole();
else
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (err: Error) => {
      console.error(`growth: ${err.stack ?? err.message}`);
      process.exit(1);
    },
  );
