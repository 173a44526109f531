import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { EXPORT_PAGE_ROWS } from '../../../server/accounts/account.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { loggedInPerson, type Person } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { bearer, userIdOf } from '../../helpers/accounts.js';
import { eventually } from '../../helpers/wait.js';

const HOUR = 3_600_000;
/**
 * Text the database must escape or encode when it writes the JSON, on every page (no NUL:
 * PostgreSQL's text holds none).
 */
const UNUSUAL = 'ünïcødé 😀 中文 "quoted" back\\slash new\nline tab\t bell\u0007 </script>';

describe('GET /api/account/export: in pages, and limited per account', () => {
  let smtp: TestSmtp;
  let t: TestServer;
  const clock = manualClock();
  let heavy: Person & { token: string };
  let heavyId: number;
  const MESSAGES = EXPORT_PAGE_ROWS * 2 + 345;
  const EVENTS = EXPORT_PAGE_ROWS + 17;

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url, EXPORTS_PER_HOUR: '3' }, overrides: { clock } });
    heavy = await loggedInPerson(t.url, smtp, 'heavy');
    heavyId = await userIdOf(t, heavy.username);
    // Rows written straight to the database: more than two pages of messages, more than a page
    // of events. Each text is long so the body (about 11 MB) is well past what the kernel's
    // loopback buffers take in without the client reading (a 4 MB send buffer here): with 2 MB,
    // an unread export could finish before the next request and free its place.
    const text = 'w'.repeat(8000);
    const messages = Array.from({ length: MESSAGES }, (_, i) => ({
      room: i % 2 ? 'lobby' : 'other',
      user_id: heavyId,
      text: `${i}:${i % 97 === 0 ? UNUSUAL : text}`,
      created_at: clock.now() - 1000 + i,
    }));
    await t.server.db.batchInsert('messages', messages, 200);
    const events = Array.from({ length: EVENTS }, (_, i) => ({
      user_id: heavyId,
      type: 'login_failed',
      at: clock.now() - 2 * HOUR + i,
      ip: '127.0.0.1',
      user_agent: 'bulk',
    }));
    await t.server.db.batchInsert('audit_events', events, 200);
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  const exportOf = (token: string) => api(t.url, 'GET', '/api/account/export', undefined, bearer(token));

  /** Starts an export and reads only its headers, leaving the body unread. */
  const openExport = (token: string) =>
    new Promise<{ req: ClientRequest; res: IncomingMessage }>((resolve, reject) => {
      const req = httpRequest(`${t.url}/api/account/export`, {
        headers: { authorization: `Bearer ${token}` },
      });
      req.once('response', (res) => resolve({ req, res }));
      req.once('error', reject);
      req.end();
    });

  it('holds every message once, oldest first, and every event, newest first, across pages', async () => {
    const res = await exportOf(heavy.token);
    expect(res.status).to.equal(200);
    const { messages, activity } = res.body;
    expect(messages).to.have.length(MESSAGES);
    const ids = messages.map((m: any) => m.id);
    expect(ids).to.deep.equal([...ids].sort((a: number, b: number) => a - b));
    expect(new Set(ids).size).to.equal(MESSAGES);
    expect(messages.map((m: any) => Number(m.text.split(':')[0]))).to.deep.equal(
      Array.from({ length: MESSAGES }, (_, i) => i),
    );
    const unusual = messages.filter((_: unknown, i: number) => i % 97 === 0);
    expect(unusual.map((m: any) => m.text)).to.deep.equal(
      unusual.map((_: unknown, k: number) => `${k * 97}:${UNUSUAL}`),
    );
    const eventIds = activity.map((e: any) => e.id);
    expect(eventIds).to.deep.equal([...eventIds].sort((a: number, b: number) => b - a));
    expect(activity.filter((e: any) => e.type === 'login_failed')).to.have.length(EVENTS);
    expect(activity[0].type).to.equal('account_exported');
    expect(res.headers.get('transfer-encoding')).to.equal('chunked');
  });

  it('one at a time per account: a second while one runs gets 429 with Retry-After; another account is free', async () => {
    clock.advance(2 * HOUR);
    const first = await openExport(heavy.token);
    expect(first.res.statusCode).to.equal(200);
    const second = await exportOf(heavy.token);
    expectError(second, 429, 'rate_limited');
    expect(Number(second.headers.get('retry-after'))).to.be.greaterThan(0);
    const other = await loggedInPerson(t.url, smtp, 'light');
    expect((await exportOf(other.token)).status).to.equal(200);
    // The client goes away mid-body: its place is freed.
    first.req.destroy();
    // Freed when the server's body stream closes, after the page read in flight: waited for, not
    // timed. A refusal while it runs is not counted against the hour.
    await eventually(async () => (await exportOf(heavy.token)).status === 200, {
      what: 'the export to be allowed again',
    });
  });

  it('at most EXPORTS_PER_HOUR an hour, Retry-After until the oldest leaves the hour', async () => {
    clock.advance(2 * HOUR);
    for (let i = 0; i < 3; i++) {
      expect((await exportOf(heavy.token)).status).to.equal(200);
      clock.advance(60_000);
    }
    const refused = await exportOf(heavy.token);
    expectError(refused, 429, 'rate_limited');
    // The first of the three was 3 minutes ago: an hour after it, less those 3 minutes.
    expect(Number(refused.headers.get('retry-after'))).to.equal(3600 - 180);
    const events = await t.server.db('audit_events').where({ user_id: heavyId, type: 'account_exported' });
    expect(events.length, 'a refused export records nothing').to.equal(3 + 3);
    clock.advance(HOUR - 180);
    expect((await exportOf(heavy.token)).status).to.equal(200);
  });
});
