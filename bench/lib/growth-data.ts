/**
 * The growth bench's data: a database of a chosen size in the real schema, made by bulk insert.
 *
 * A fresh database gets the server's own migrations (openDatabase + migrateToLatest), then every
 * table is filled in large multi-row INSERTs, 100,000 rows a transaction: users (all sharing one
 * real scrypt hash at the server's cost, so anyone can log in), their sessions, mail codes, sent
 * mail in the outbox, audit events and chat messages spread over rooms. User 1 is the heavy user:
 * a quarter of all messages, a fifth as many audit events as messages, and many sessions.
 *
 * The first users are fixtures with known secrets, in fixed pools (`layout`), so the bench can
 * call every route without signing anyone up first: session tokens are derived from the user id,
 * and unverified users and reset requests carry the known code CODE. The pools are the same at
 * every size, so a route costs the same work on the small and the large database and only the
 * data around it differs.
 *
 * Rows come from a seeded PRNG, so two builds of one size hold the same data; only the times
 * follow the clock of the build.
 */
import { createHmac, hash as oneShotHash } from 'node:crypto';
import { migrateToLatest, openDatabase, readerOf, type Db } from '../../server/store/db.js';
import { mergeStep } from '../../server/store/search-merge.js';

/** Bump when the generated data changes, so cached databases are rebuilt. */
export const GENERATOR_VERSION = 5;

export const PASSWORD = 'growth-bench-password-lantern-orbit';
/** The verification and reset code every fixture that needs one holds. */
export const CODE = '123456';

/** Users taken by a route whose calls each use up a user (verify, logout, ...), warm-up included. */
const POOL = 220;
/**
 * The same for the routes that cost a scrypt hash, called fewer times: a warm-up and three rounds
 * of ten (the first, and two more when it misses; bench/growth.ts confirmingRoundsOf).
 */
export const KDF_POOL = 32;
/** Users a route may use again and again (forgot, resend). */
const ROTATE = 60;
/** Signed-in users for sockets and reads. */
const READERS = 64;
/** Ordinary users a bench takes in turn where calls should come from many people. */
export const ORDINARY_IN_TURN = 200;
/** Sessions of every verified user but the heavy one: s0 acts, s1 is revoked, s2 logs out, s3 is revoked by revoke-others. */
const SESSIONS_PER_USER = 4;
/**
 * Rounds the session-op users serve logout and DELETE /api/sessions/:id in: each holds, beside
 * its four, a session to log out and one to revoke for every round after the first, so those
 * routes are measured in rounds like the routes that use nothing up (bench/growth.ts roundsOf).
 */
const SESSION_OP_SETS = 5;
/** Logout and DELETE calls the session-op users serve in all, warm-up included. */
export const SESSION_OP_FIXTURES = POOL * SESSION_OP_SETS;

export interface Sizes {
  users: number;
  messages: number;
  /** The scrypt cost of the shared password hash (the server's SCRYPT_LOG_N). */
  logN: number;
  /** Rooms beside the lobby; by default one for every 10,000 messages, ten at least. */
  rooms?: number;
}

export interface Range {
  first: number;
  count: number;
}

export interface Layout {
  heavy: number;
  readers: Range;
  login: Range;
  socketLogin: Range;
  change: Range;
  reset: Range;
  remove: Range;
  /** Logout (s2), DELETE /api/sessions/:id (s0 revokes s1), then revoke-others (s0 revokes s3). */
  sessionOps: Range;
  forgot: Range;
  /** Unverified, each with the verify code CODE. */
  verify: Range;
  /** Unverified, asking for new codes. */
  resend: Range;
  /** The first user id that is no fixture. */
  ordinaryFrom: number;
}

/** What the bench needs to know about a built database beyond the layout. */
export interface Facts {
  sizes: Sizes;
  builtAt: number;
  heavyMessages: number;
  heavyEvents: number;
  heavySessions: number;
  /** An audit event id in the middle of the heavy user's history: `before` for a deep page. */
  heavyMidEventId: number;
  /** A message id in the middle: `before` for a deep page of the lobby. */
  midMessageId: number;
  rows: Record<string, number>;
  buildSeconds: number;
}

export function layoutFor(users: number): Layout {
  let next = 2;
  const take = (count: number): Range => {
    const r = { first: next, count };
    next += count;
    return r;
  };
  const layout = {
    heavy: 1,
    readers: take(READERS),
    login: take(KDF_POOL),
    socketLogin: take(KDF_POOL),
    change: take(KDF_POOL),
    reset: take(KDF_POOL),
    remove: take(KDF_POOL),
    sessionOps: take(POOL),
    forgot: take(ROTATE),
    verify: take(POOL),
    resend: take(ROTATE),
    ordinaryFrom: 0,
  };
  layout.ordinaryFrom = next;
  const least = next - 1 + ORDINARY_IN_TURN;
  if (users < least) throw new Error(`a database needs at least ${least} users for the bench's fixtures`);
  return layout;
}

const inRange = (r: Range, id: number): boolean => id >= r.first && id < r.first + r.count;
export const nth = (r: Range, i: number): number => {
  if (i < 0 || i >= r.count) throw new Error(`fixture ${i} is outside its pool of ${r.count}`);
  return r.first + i;
};

const sha256 = (s: string): string => oneShotHash('sha256', s, 'hex');
/**
 * The server key every bench server on a built database runs with (SECRET_KEY): mailed codes are
 * stored keyed with it, so the codes written here verify only under this key. Fixed, so a cached
 * database stays usable from run to run.
 */
export const GROWTH_SECRET_KEY = Buffer.from(sha256('mux1 growth bench server key'), 'hex').toString(
  'base64',
);
/** How the server stores a mailed code (server/accounts/codes.ts), which keeps its hash private. */
const hashCode = (userId: number, purpose: 'verify' | 'reset', code: string): string =>
  createHmac('sha256', Buffer.from(GROWTH_SECRET_KEY, 'base64'))
    .update(`email-code:${purpose}:${userId}:${code}`)
    .digest('hex');
export const usernameOf = (id: number): string => (id === 1 ? 'heavy' : `u${id}`);
export const emailOf = (id: number): string => `${usernameOf(id)}@growth.test`;
/**
 * Session-op fixture i (0 to SESSION_OP_FIXTURES): its user, the session logout ends and the
 * one DELETE /api/sessions/:id ends (from s0). The first POOL are s2 and s1; each later set of
 * POOL takes the next two of the user's extra sessions. s3 stays for revoke-others, which ends
 * every session but s0 and so runs once.
 */
export function sessionOpOf(layout: Layout, i: number): { user: number; logout: number; revoked: number } {
  const set = Math.floor(i / layout.sessionOps.count);
  if (set >= SESSION_OP_SETS)
    throw new Error(`session-op fixture ${i} is beyond the ${SESSION_OP_FIXTURES} built`);
  const user = nth(layout.sessionOps, i % layout.sessionOps.count);
  return set === 0 ? { user, logout: 2, revoked: 1 } : { user, logout: 2 + 2 * set, revoked: 3 + 2 * set };
}

/** Session k of a user: its bearer token and its id. */
export const tokenOf = (userId: number, k: number): string => sha256(`growth-token:${userId}:${k}`);
export const sessionIdOf = (userId: number, k: number): string =>
  sha256(`growth-session:${userId}:${k}`).slice(0, 32);

/** What a size means for the heavy user: the figures of the issue at 100k users / 1M messages. */
function heavyShare(sizes: Sizes): { messages: number; events: number; sessions: number } {
  return {
    messages: Math.round(sizes.messages / 4),
    events: Math.round(sizes.messages / 5),
    sessions: Math.max(20, Math.round(sizes.users / 20)),
  };
}

/** mulberry32: small, fast and seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the a of to and in is it you that was for on are with as at be this have from or one had by ' +
  'word but not what all were we when your can said there use an each which she do how their if ' +
  'will up other about out many then them these so some her would make like him into time has ' +
  'look two more write go see number no way could people my than first water been call who oil ' +
  'its now find long down day did get come made may part lantern orbit build ship merge review'
).split(' ');

const DAY = 86_400_000;
const UA = 'mux1-cli/0.1.0 (linux; node 20)';

type Row = unknown[];
interface Table {
  name: string;
  columns: string[];
  rows: Iterable<Row>;
}

/** Every row of every table, generated lazily in foreign-key order. */
function tables(sizes: Sizes, layout: Layout, hash: string, builtAt: number, facts: Facts): Table[] {
  const { users } = sizes;
  const heavy = heavyShare(sizes);
  const unverified = (id: number) => inRange(layout.verify, id) || inRange(layout.resend, id);
  const createdAt = (id: number) => builtAt - 700 * DAY + Math.floor((id / users) * 600 * DAY);
  const ip = (id: number) => `10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}`;

  function* userRows(): Generator<Row> {
    for (let id = 1; id <= users; id++) {
      const at = createdAt(id);
      yield [id, usernameOf(id), emailOf(id), hash, unverified(id) ? null : at + 60_000, at, 0, null];
    }
  }

  // Live sessions: used an hour before the build, ending 25 days after it (a cached database
  // stays usable for SESSION_IDLE_DAYS, which the cache respects). The heavy user also has as
  // many revoked ones: sessions are never pruned.
  function* sessionRows(): Generator<Row> {
    const live = (userId: number, k: number, created: number): Row => [
      sessionIdOf(userId, k),
      userId,
      sha256(tokenOf(userId, k)),
      created,
      builtAt + 25 * DAY,
      builtAt - 3_600_000,
      UA,
      ip(userId),
      null,
    ];
    for (let k = 0; k < heavy.sessions; k++) yield live(1, k, builtAt - 5 * DAY + k * 1000);
    for (let k = heavy.sessions; k < 2 * heavy.sessions; k++) {
      const created = builtAt - 300 * DAY + k * 60_000;
      yield [
        sessionIdOf(1, k),
        1,
        sha256(tokenOf(1, k)),
        created,
        created + 30 * DAY,
        created + DAY,
        UA,
        ip(1),
        created + DAY,
      ];
    }
    for (let id = 2; id <= users; id++) {
      if (unverified(id)) continue;
      const sessions = inRange(layout.sessionOps, id) ? 2 + 2 * SESSION_OP_SETS : SESSIONS_PER_USER;
      for (let k = 0; k < sessions; k++) yield live(id, k, builtAt - 6 * DAY + k * 1000);
    }
  }

  // Every verified user keeps its used verify code; the reset pool has an open reset code and
  // the unverified pools an open verify code, all CODE.
  function* codeRows(): Generator<Row> {
    let n = 0;
    for (let id = 1; id <= users; id++) {
      const at = createdAt(id);
      const open = unverified(id);
      const code = open ? CODE : '000000';
      yield [
        ++n,
        id,
        'verify',
        hashCode(id, 'verify', code),
        0,
        builtAt + 25 * DAY,
        open ? null : at + 60_000,
        at,
      ];
      if (inRange(layout.reset, id))
        yield [++n, id, 'reset', hashCode(id, 'reset', CODE), 0, builtAt + 25 * DAY, null, builtAt - DAY];
    }
  }

  // A sent verification mail per user, scrubbed as the worker leaves it, and a failed one for
  // every fiftieth user. Nothing pending: the worker would start sending at once.
  function* outboxRows(): Generator<Row> {
    let n = 0;
    for (let id = 1; id <= users; id++) {
      const at = createdAt(id);
      yield [
        ++n,
        emailOf(id),
        'Your mux1 verification code: ******',
        '',
        '',
        at,
        1,
        at,
        null,
        at + 2000,
        null,
        null,
      ];
      if (id % 50 === 0)
        yield [
          ++n,
          emailOf(id),
          'Your mux1 password reset code: ******',
          '',
          '',
          at,
          5,
          at + 3_600_000,
          null,
          null,
          at + 3_600_000,
          'connect ECONNREFUSED 127.0.0.1:25',
        ];
    }
  }

  // Three events per verified user (signup, verified, login), one per unverified user, and the
  // heavy user's history interleaved among them in time.
  function* auditRows(): Generator<Row> {
    const heavyTypes = ['login', 'logout', 'login', 'session_revoked', 'login_failed', 'password_changed'];
    const total = (users - 1) * 3 + heavy.events;
    const step = total / Math.max(1, heavy.events);
    const atOf = (n: number) => builtAt - 400 * DAY + Math.floor((n / total) * 399 * DAY);
    let id = 0;
    let heavyDone = 0;
    const heavyRow = (): Row => {
      id++;
      if (heavyDone === Math.floor(heavy.events / 2)) facts.heavyMidEventId = id;
      return [id, 1, heavyTypes[heavyDone++ % heavyTypes.length], atOf(id), ip(1), UA];
    };
    for (let user = 2; user <= users; user++) {
      for (const type of unverified(user) ? ['signup'] : ['signup', 'email_verified', 'login']) {
        id++;
        yield [id, user, type, atOf(id), ip(user), UA];
        while (heavyDone < heavy.events && heavyDone * step < id) yield heavyRow();
      }
    }
    while (heavyDone < heavy.events) yield heavyRow();
    facts.heavyEvents = heavyDone;
  }

  // The heavy user writes one message in four; the rest are spread over the verified users.
  // A third go to the lobby, the rest to one room in a hundred (ten at least), or in `sizes.rooms`.
  function* messageRows(): Generator<Row> {
    const random = prng(0x6d757831);
    const rooms = sizes.rooms ?? Math.max(10, Math.round(sizes.messages / 10_000));
    const span = 365 * DAY;
    let heavyDone = 0;
    for (let id = 1; id <= sizes.messages; id++) {
      let user: number;
      if (Math.floor((id * heavy.messages) / sizes.messages) > heavyDone) {
        user = 1;
        heavyDone++;
      } else {
        do user = 2 + Math.floor(random() * (users - 1));
        while (unverified(user));
      }
      const room = random() < 1 / 3 ? 'lobby' : `room-${Math.floor(random() * rooms)}`;
      const words = 3 + Math.floor(random() * 18);
      let text = WORDS[Math.floor(random() * WORDS.length)]!;
      for (let w = 1; w < words; w++) text += ' ' + WORDS[Math.floor(random() * WORDS.length)]!;
      yield [id, room, user, text, builtAt - span + Math.floor((id / sizes.messages) * span)];
    }
    facts.heavyMessages = heavyDone;
    facts.midMessageId = Math.floor(sizes.messages / 2);
  }

  return [
    {
      name: 'users',
      columns: [
        'id',
        'username',
        'email',
        'password_hash',
        'email_verified_at',
        'created_at',
        'failed_logins',
        'last_failed_login_at',
      ],
      rows: userRows(),
    },
    {
      name: 'sessions',
      columns: [
        'id',
        'user_id',
        'token_hash',
        'created_at',
        'expires_at',
        'last_seen_at',
        'user_agent',
        'ip',
        'revoked_at',
      ],
      rows: sessionRows(),
    },
    {
      name: 'email_codes',
      columns: ['id', 'user_id', 'purpose', 'code_hash', 'attempts', 'expires_at', 'used_at', 'created_at'],
      rows: codeRows(),
    },
    {
      name: 'mail_outbox',
      columns: [
        'id',
        'recipient',
        'subject',
        'text_body',
        'html_body',
        'created_at',
        'attempts',
        'next_attempt_at',
        'locked_until',
        'sent_at',
        'failed_at',
        'last_error',
      ],
      rows: outboxRows(),
    },
    {
      name: 'audit_events',
      columns: ['id', 'user_id', 'type', 'at', 'ip', 'user_agent'],
      rows: auditRows(),
    },
    { name: 'messages', columns: ['id', 'room', 'user_id', 'text', 'created_at'], rows: messageRows() },
  ];
}

/** SQLite allows 32,766 bound values per statement, PostgreSQL 65,535. */
const MAX_BINDINGS = 30_000;
/** Rows per transaction. */
const ROWS_PER_COMMIT = 100_000;

/** One statement with bound values on the driver's own connection: knex's binding rewrite costs more than the insert. */
type Run = (sql: string, values: unknown[]) => Promise<void>;

function driverRun(db: Db, conn: unknown): Run {
  if (db.client.config.client === 'pg') {
    const client = conn as { query(sql: string, values: unknown[]): Promise<unknown> };
    return async (sql, values) => {
      await client.query(sql, values);
    };
  }
  const sqlite = conn as {
    run(sql: string, values: unknown[], cb: (err: Error | null) => void): void;
  };
  return (sql, values) =>
    new Promise<void>((resolve, reject) => sqlite.run(sql, values, (err) => (err ? reject(err) : resolve())));
}

async function insertAll(db: Db, run: Run, table: Table): Promise<number> {
  const pg = db.client.config.client === 'pg';
  const width = table.columns.length;
  const cols = table.columns.map((c) => `"${c}"`).join(', ');
  const perStatement = Math.floor(MAX_BINDINGS / width);
  const statements = new Map<number, string>();
  const statement = (n: number) => {
    let sql = statements.get(n);
    if (!sql) {
      const rows: string[] = [];
      for (let r = 0; r < n; r++) {
        const marks = table.columns.map((_, c) => (pg ? `$${r * width + c + 1}` : '?'));
        rows.push(`(${marks.join(', ')})`);
      }
      sql = `insert into "${table.name}" (${cols}) values ${rows.join(', ')}`;
      statements.set(n, sql);
    }
    return sql;
  };
  let count = 0;
  let batch: unknown[] = [];
  let open = false;
  let inTransaction = 0;
  const flush = async () => {
    const n = batch.length / width;
    if (n === 0) return;
    if (!open) await run('begin', []);
    open = true;
    await run(statement(n), batch);
    batch = [];
    count += n;
    inTransaction += n;
    if (inTransaction >= ROWS_PER_COMMIT) {
      await run('commit', []);
      open = false;
      inTransaction = 0;
    }
  };
  try {
    for (const row of table.rows) {
      for (const v of row) batch.push(v);
      if (batch.length === perStatement * width) await flush();
    }
    await flush();
    if (open) await run('commit', []);
  } catch (err) {
    if (open) await run('rollback', []).catch(() => {});
    throw err;
  }
  return count;
}

/**
 * Builds the database at `url` (empty, SQLite file or PostgreSQL) and returns its facts.
 * `passwordHash` is the shared hash, made once by the caller at the server's cost.
 */
export async function buildDatabase(
  url: string,
  sizes: Sizes,
  passwordHash: string,
  log: (line: string) => void,
): Promise<Facts> {
  const started = performance.now();
  const layout = layoutFor(sizes.users);
  const builtAt = Date.now();
  const heavy = heavyShare(sizes);
  const facts: Facts = {
    sizes,
    builtAt,
    heavyMessages: 0,
    heavyEvents: 0,
    heavySessions: heavy.sessions,
    heavyMidEventId: 0,
    midMessageId: 0,
    rows: {},
    buildSeconds: 0,
  };
  const db = openDatabase(url, { poolMax: 1 });
  try {
    await migrateToLatest(db);
    const sqlite = db.client.config.client === 'sqlite3';
    // A build that dies is thrown away, so it need not survive a crash.
    if (sqlite) {
      // The migrations' reads went to the reader connections, which hold the file open in WAL
      // mode: leaving WAL needs the file to itself (SQLITE_BUSY otherwise), and nothing more is read.
      const reader = readerOf(db);
      if (reader !== db) await reader.destroy();
      // The indexes of a large table stay in memory while it fills, and no journal is written.
      for (const pragma of ['journal_mode = OFF', 'synchronous = OFF', 'cache_size = -1000000'])
        await db.raw(`PRAGMA ${pragma}`);
    }
    const conn: unknown = await db.client.acquireConnection();
    try {
      const run = driverRun(db, conn);
      for (const table of tables(sizes, layout, passwordHash, builtAt, facts)) {
        const t0 = performance.now();
        facts.rows[table.name] = await insertAll(db, run, table);
        log(
          `  ${table.name}: ${facts.rows[table.name]} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
      }
    } finally {
      await db.client.releaseConnection(conn);
    }
    if (sqlite) {
      // The search index as a running server keeps it: its upkeep merges the segments each batch
      // of inserts leaves (server/store/search-merge.ts), and a bulk load leaves hundreds. Left
      // in, the first minutes of a run spent the large server's writer on that backlog, a step of
      // 3-30 ms at a time, which no server that stored its messages one batch at a time carries.
      const t0 = performance.now();
      let steps = 0;
      while (await mergeStep(db)) steps++;
      log(`  search index: ${steps} merge steps in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      // The file is left as the server keeps it.
      await db.raw('PRAGMA journal_mode = WAL');
    } else {
      // Ids were given explicitly: move each sequence past them, as inserts through the app would.
      for (const name of ['users', 'email_codes', 'mail_outbox', 'audit_events', 'messages']) {
        await db.raw(
          `select setval(pg_get_serial_sequence('${name}', 'id'), (select max(id) from "${name}"))`,
        );
      }
      // Autovacuum would vacuum and analyse a table this size within minutes of the load: a live
      // database has statistics, and pages marked all-visible, so an index-only scan reads no
      // table rows. Done here because the server may run with autovacuum off (the CI's does).
      await db.raw('vacuum analyze');
    }
  } finally {
    await db.destroy();
  }
  facts.buildSeconds = Math.round((performance.now() - started) / 100) / 10;
  return facts;
}

/**
 * The server removes an unverified account once its code has had time to expire (CODE_TTL_MINUTES
 * and an hour, accounts/signup.ts isExpired), so it answers a verify code of an older one
 * `invalid_code`. The unverified pools are made a minute old just before the servers start,
 * whenever the database was built (a cached one can be days old).
 */
export async function freshenUnverified(url: string, sizes: Sizes, now = Date.now()): Promise<void> {
  const layout = layoutFor(sizes.users);
  const db = openDatabase(url, { poolMax: 1 });
  try {
    for (const pool of [layout.verify, layout.resend]) {
      await db('users')
        .whereBetween('id', [pool.first, pool.first + pool.count - 1])
        .whereNull('email_verified_at')
        .update({ created_at: now - 60_000 });
    }
  } finally {
    await db.destroy();
  }
}
