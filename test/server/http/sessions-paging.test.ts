import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { loggedInPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { bearer, userIdOf } from '../../helpers/accounts.js';

const DAY = 86_400_000;

describe('GET /api/sessions in pages', () => {
  let smtp: TestSmtp;
  let t: TestServer;
  let token: string;
  let userId: number;
  /** Ids of every live session, in the order the list must give them. */
  let expected: string[];

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url } });
    const p = await loggedInPerson(t.url, smtp, 'pager');
    token = p.token;
    userId = await userIdOf(t, p.username);
    // 130 more sessions written straight to the database, in groups sharing last_seen_at and
    // created_at, so that page boundaries fall inside ties; plus ended ones that must not show.
    const now = Date.now();
    const rows = [];
    for (let i = 0; i < 130; i++) {
      rows.push({
        id: randomBytes(16).toString('hex'),
        user_id: userId,
        token_hash: randomBytes(32).toString('hex'),
        created_at: now - DAY + Math.floor(i / 7),
        expires_at: now + DAY,
        last_seen_at: now - 1000 - Math.floor(i / 10) * 1000,
        user_agent: `agent-${i}`,
        ip: '127.0.0.1',
        revoked_at: i % 13 === 0 ? now - 5 : null,
      });
    }
    await t.server.db.batchInsert('sessions', rows, 50);
    const live = (await t.server.db('sessions').where({ user_id: userId }).whereNull('revoked_at')) as {
      id: string;
      last_seen_at: number;
      created_at: number;
    }[];
    live.sort(
      (a, b) =>
        Number(b.last_seen_at) - Number(a.last_seen_at) ||
        Number(b.created_at) - Number(a.created_at) ||
        (a.id < b.id ? 1 : -1),
    );
    expected = live.map((s) => s.id);
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  const get = (query = '') => api(t.url, 'GET', `/api/sessions${query}`, undefined, bearer(token));

  it('answers 50 by default with next_before, the seed shape plus the cursor', async () => {
    const res = await get();
    expect(res.status).to.equal(200);
    expect(res.body).to.have.all.keys('sessions', 'next_before');
    expect(res.body.sessions).to.have.length(50);
    expect(res.body.next_before).to.be.a('string');
    expect(res.body.sessions.map((s: any) => s.id)).to.deep.equal(expected.slice(0, 50));
  });

  it('walks every live session once, in order, whatever the page size', async () => {
    for (const limit of [1, 7, 50, 200]) {
      const seen: string[] = [];
      let before: string | null = null;
      let pages = 0;
      do {
        const res = await get(`?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body.sessions.length).to.be.at.most(limit);
        seen.push(...res.body.sessions.map((s: any) => s.id));
        before = res.body.next_before;
        pages++;
      } while (before && pages < 500);
      expect(seen, `limit ${limit}`).to.deep.equal(expected);
      expect(seen.filter((id) => id === expected[0])).to.have.length(1);
    }
  });

  it('the last page says null, and the current session is on some page', async () => {
    const res = await get('?limit=200');
    expect(res.body.next_before).to.equal(null);
    expect(res.body.sessions.filter((s: any) => s.current)).to.have.length(1);
  });

  it('refuses a wrong, huge or hostile limit and before', async () => {
    for (const q of ['?limit=0', '?limit=201', '?limit=-1', '?limit=abc', '?limit=1&limit=2', '?limit=1e3']) {
      expectError(await get(q), 400, 'invalid_field');
    }
    const hostile = [
      'abc',
      '1.2.3',
      `1.2.${'g'.repeat(32)}`,
      `${'9'.repeat(16)}.1.${'a'.repeat(32)}`,
      `1.1.${'a'.repeat(32)}' or 1=1 --`,
      'x'.repeat(100_000).slice(0, 6000),
      '%00',
    ];
    for (const b of hostile) {
      expectError(await get(`?before=${encodeURIComponent(b)}`), 400, 'invalid_field');
    }
    expectError(
      await get(`?before=1.1.${'a'.repeat(32)}&before=2.2.${'a'.repeat(32)}`),
      400,
      'invalid_field',
    );
  });

  it('a cursor past every session gives an empty last page', async () => {
    const res = await get(`?before=0.0.${'0'.repeat(32)}`);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ sessions: [], next_before: null });
  });
});
