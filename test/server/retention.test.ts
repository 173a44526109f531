import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { manualClock } from '../../server/clock.js';
import { loadServerConfig } from '../../config/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const DAY = 86_400_000;

/**
 * The retention job on the server's real database (SQLite, or PostgreSQL in the postgres run):
 * exactly what has aged out goes, in batches no larger than asked, and nothing else.
 */
describe('retention: ended sessions, old audit events and done mail are deleted in small batches', () => {
  let t: TestServer;
  const clock = manualClock();
  const now = clock.now();
  const BATCH = 7;

  before(async () => {
    t = await startTestServer({
      env: {
        RETENTION_SESSIONS_DAYS: '30',
        RETENTION_AUDIT_DAYS: '365',
        RETENTION_MAIL_DAYS: '7',
        // Off: the test runs it by hand, so nothing runs behind its back.
        RETENTION_INTERVAL_MINUTES: '0',
      },
      overrides: { clock, retentionBatch: BATCH },
    });
  });
  after(async () => {
    await t?.close();
  });

  const db = () => t.server.db;

  async function seed() {
    const [user] = await db()('users')
      .insert({
        username: `keeper${randomBytes(3).toString('hex')}`,
        email: `k${randomBytes(3).toString('hex')}@example.test`,
        password_hash: 'x',
        created_at: now - 900 * DAY,
      })
      .returning('id');
    const userId = Number(typeof user === 'object' ? user.id : user);
    const session = (tag: string, expiresAt: number, revokedAt: number | null) => ({
      id: randomBytes(16).toString('hex'),
      user_id: userId,
      token_hash: randomBytes(32).toString('hex'),
      created_at: expiresAt - 30 * DAY,
      expires_at: expiresAt,
      last_seen_at: expiresAt - 30 * DAY,
      user_agent: tag,
      ip: null,
      revoked_at: revokedAt,
    });
    const sessions = [
      ...Array.from({ length: 20 }, () => session('expired-long-ago', now - 31 * DAY, null)),
      ...Array.from({ length: 16 }, () => session('revoked-long-ago', now + 5 * DAY, now - 40 * DAY)),
      ...Array.from({ length: 3 }, () => session('expired-recently', now - 29 * DAY, null)),
      ...Array.from({ length: 3 }, () => session('revoked-recently', now + 5 * DAY, now - DAY)),
      ...Array.from({ length: 3 }, () => session('live', now + 5 * DAY, null)),
    ];
    await db().batchInsert('sessions', sessions, 50);
    const event = (tag: string, at: number) => ({
      user_id: userId,
      type: 'login',
      at,
      ip: null,
      user_agent: tag,
    });
    await db().batchInsert(
      'audit_events',
      [
        ...Array.from({ length: 25 }, () => event('old', now - 366 * DAY)),
        ...Array.from({ length: 4 }, () => event('kept', now - 364 * DAY)),
      ],
      50,
    );
    const mail = (tag: string, fields: Record<string, number | null>) => ({
      recipient: 'r@example.test',
      subject: tag,
      text_body: '',
      html_body: '',
      created_at: now - 100 * DAY,
      next_attempt_at: now - 100 * DAY,
      attempts: 1,
      sent_at: null,
      failed_at: null,
      ...fields,
    });
    await db().batchInsert(
      'mail_outbox',
      [
        ...Array.from({ length: 9 }, () => mail('sent-old', { sent_at: now - 8 * DAY })),
        ...Array.from({ length: 8 }, () => mail('failed-old', { failed_at: now - 8 * DAY })),
        ...Array.from({ length: 2 }, () => mail('sent-new', { sent_at: now - 6 * DAY })),
        ...Array.from({ length: 2 }, () => mail('failed-new', { failed_at: now - 6 * DAY })),
        ...Array.from({ length: 2 }, () => mail('pending-old', {})),
      ],
      50,
    );
    return userId;
  }

  const tags = async (table: string, column: string) =>
    ((await db()(table).select(column)) as Record<string, string>[]).map((r) => r[column]).sort();

  it('deletes exactly what aged out, each statement at most a batch, and keeps the rest', async () => {
    await seed();
    const deletes: string[] = [];
    const watch = (q: { sql: string }) => {
      if (/^\s*delete/i.test(q.sql)) deletes.push(q.sql);
    };
    db().on('query', watch);
    const pruned = await t.server.retention.runOnce();
    db().off('query', watch);

    expect(pruned).to.deep.equal({
      expired_sessions: 20,
      revoked_sessions: 16,
      audit_events: 25,
      sent_mail: 9,
      failed_mail: 8,
    });
    // 20 rows in batches of 7 take three statements (7, 7, 6), and so on for each kind.
    const expected = [20, 16, 25, 9, 8].reduce((n, rows) => n + Math.ceil((rows + 1) / BATCH), 0);
    expect(deletes.length).to.equal(expected);
    for (const sql of deletes) expect(sql).to.match(/limit/i);

    const sessionTags = await tags('sessions', 'user_agent');
    expect(sessionTags.filter((s) => s && !s.startsWith('live') && !s.endsWith('recently'))).to.deep.equal(
      [],
    );
    expect(sessionTags.filter((s) => s === 'live')).to.have.length(3);
    expect(sessionTags.filter((s) => s === 'expired-recently')).to.have.length(3);
    expect(sessionTags.filter((s) => s === 'revoked-recently')).to.have.length(3);
    expect((await tags('audit_events', 'user_agent')).filter((s) => s === 'old')).to.deep.equal([]);
    expect((await tags('audit_events', 'user_agent')).filter((s) => s === 'kept')).to.have.length(4);
    expect(await tags('mail_outbox', 'subject')).to.deep.equal([
      'failed-new',
      'failed-new',
      'pending-old',
      'pending-old',
      'sent-new',
      'sent-new',
    ]);

    expect(await t.server.retention.runOnce(), 'a second run finds nothing').to.deep.equal({
      expired_sessions: 0,
      revoked_sessions: 0,
      audit_events: 0,
      sent_mail: 0,
      failed_mail: 0,
    });
  });

  it('lets other writes through between its batches', async () => {
    await seed();
    // A write queued while the run is going gets its turn before the run ends.
    let wroteAt = 0;
    let endedAt = 0;
    const run = t.server.retention.runOnce().then(() => (endedAt = performance.now()));
    await new Promise((r) => setImmediate(r));
    await db()('audit_events').insert({
      user_id: null,
      type: 'login',
      at: now,
      ip: null,
      user_agent: 'between',
    });
    wroteAt = performance.now();
    await run;
    expect(wroteAt).to.be.below(endedAt);
  });

  it('refuses wrong retention settings', () => {
    for (const [env, value] of [
      ['RETENTION_SESSIONS_DAYS', '-1'],
      ['RETENTION_SESSIONS_DAYS', '1.5'],
      ['RETENTION_AUDIT_DAYS', '0'],
      ['RETENTION_MAIL_DAYS', 'week'],
      ['RETENTION_INTERVAL_MINUTES', '99999999'],
      ['EXPORTS_PER_HOUR', '0'],
      ['EXPORTS_AT_ONCE', '1e9'],
    ] as const) {
      expect(() => loadServerConfig({ env: { [env]: value } }), `${env}=${value}`).to.throw(new RegExp(env));
    }
    const defaults = loadServerConfig({ env: {} });
    expect(defaults).to.include({
      retentionSessionsDays: 30,
      retentionAuditDays: 365,
      retentionMailDays: 7,
      retentionIntervalMinutes: 60,
      exportsPerHour: 3,
      exportsAtOnce: 1,
    });
  });
});
