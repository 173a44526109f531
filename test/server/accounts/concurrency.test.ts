import { expect } from 'chai';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { logIn, newPerson, signUp } from '../../helpers/accounts.js';

/** Requests that race each other must still follow the rules, and never answer 5xx. */
describe('accounts under concurrent requests', () => {
  let smtp: TestSmtp;
  let t: TestServer;

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({
      env: { SMTP_URL: smtp.url, LIMIT_CODE_FAILURES_PER_10MIN: '1000', SERVER_STATUS_PUBLIC: '1' },
    });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  const all = <T>(n: number, f: (i: number) => Promise<T>) =>
    Promise.all(Array.from({ length: n }, (_, i) => f(i)));
  const totalUsers = async () => (await api(t.url, 'GET', '/api/server-status')).body.total_users;

  it('one username claimed by many at once: one 201, the rest 409', async () => {
    const username = 'contested';
    const answers = await all(8, () => signUp(t.url, { ...newPerson('race'), username }));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([201, ...Array(7).fill(409)]);
  });

  it('ten wrong codes at once burn the code: the right one then fails', async () => {
    const p = newPerson('codes');
    await signUp(t.url, p);
    const code = await smtp.codeFor(p.email);
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
    const answers = await all(10, (i) =>
      api(t.url, 'POST', '/api/verify-email', { email: p.email, code: wrong(i) }),
    );
    expect(answers.map((r) => r.status)).to.deep.equal(Array(10).fill(400));
    expect((await api(t.url, 'POST', '/api/verify-email', { email: p.email, code })).status).to.equal(400);
  });

  it('the right code sent twice at once verifies once: one 200, the other like a used code', async () => {
    const p = newPerson('twice');
    await signUp(t.url, p);
    const code = await smtp.codeFor(p.email);
    const answers = await all(2, () => api(t.url, 'POST', '/api/verify-email', { email: p.email, code }));
    expect(answers.map((r) => r.status).sort()).to.deep.equal([200, 400]);
    expect((await logIn(t.url, p.username, p.password)).status).to.equal(200);
  });

  // Last: its notices queue up mail that later tests would wait behind.
  it('one email used by many at once: all answer 201, one account exists', async () => {
    const before = await totalUsers();
    const email = 'shared-inbox@example.test';
    const answers = await all(8, () => signUp(t.url, { ...newPerson('same'), email }));
    expect(answers.map((r) => r.status)).to.deep.equal(Array(8).fill(201));
    expect(await totalUsers()).to.equal(before + 1);
  });
});
