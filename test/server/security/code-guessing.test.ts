import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { api, rawApi } from '../../helpers/server.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { newPerson, signUp } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';

const MINUTE = 60_000;
const wrongOf = (code: string, i = 0) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');

/** Budgets on guessing mailed codes: per address, per email, per account per day; fresh codes kept. */
describe('security: guessing mailed codes', () => {
  const clock = manualClock();
  const t = useServer({
    mail: true,
    env: {
      TRUST_PROXY: '1',
      LIMIT_CODE_FAILURES_PER_10MIN: '4',
      LIMIT_WRONG_CODES_PER_DAY: '7',
      LIMIT_MAILS_PER_HOUR_PER_EMAIL: '1000',
      LIMIT_MAILS_PER_HOUR_PER_ADDRESS: '1000',
      ...MANY_SIGNUPS,
    },
    overrides: { clock },
  });

  let n = 0;
  /** A fresh client address for each use, so one budget does not spill into the next test. */
  const address = () => ({ 'x-forwarded-for': `10.3.${Math.floor(++n / 200)}.${(n % 200) + 1}` });
  const verifyFrom = (headers: Record<string, string>, email: string, code: string) =>
    api(t.url, 'POST', '/api/verify-email', { email, code }, headers);
  const resetFrom = (headers: Record<string, string>, email: string, code: string) =>
    api(t.url, 'POST', '/api/password/reset', { email, code, password: 'guessed new phrase' }, headers);

  it('limits wrong codes per address across emails and routes, with a challenge past three', async () => {
    const from = address();
    expectError(await verifyFrom(from, 'a1@example.test', '111111'), 400, 'invalid_code');
    expectError(await resetFrom(from, 'a2@example.test', '111111'), 400, 'invalid_code');
    expectError(await verifyFrom(from, 'a3@example.test', '111111'), 400, 'invalid_code');
    // Three failures: the fourth try must carry a solved challenge (api() solves it).
    expectError(
      await rawApi(t.url, 'POST', '/api/verify-email', { email: 'a4@example.test', code: '111111' }, from),
      428,
      'challenge_required',
    );
    expectError(await verifyFrom(from, 'a4@example.test', '111111'), 400, 'invalid_code');
    const refused = await verifyFrom(from, 'a5@example.test', '111111');
    expectError(refused, 429, 'rate_limited');
    expect(refused.headers.get('retry-after')).to.match(/^\d+$/);
  });

  it('limits wrong codes per email across addresses, known email or not', async () => {
    for (const email of ['nobody-guess@example.test', (await t.verifiedPerson('guessed')).email]) {
      for (let i = 0; i < 4; i++)
        expectError(await resetFrom(address(), email, wrongOf('000000', i)), 400, 'invalid_code');
      expectError(await resetFrom(address(), email, '999999'), 429, 'rate_limited');
    }
  });

  it('answers an old code of a verified account like any wrong code, and counts it', async () => {
    const p = newPerson('oldcode');
    expect((await signUp(t.url, p)).status).to.equal(201);
    const code = await t.mail.codeFor(p.email);
    const from = address();
    expect((await verifyFrom(from, p.email, code)).status).to.equal(200);
    const again = await verifyFrom(from, p.email, code);
    const unknown = await verifyFrom(from, 'nobody-old@example.test', code);
    expectError(again, 400, 'invalid_code');
    expect(again.body).to.deep.equal(unknown.body);
    // Both counted against the address: the budget runs out as for wrong codes.
    expectError(await verifyFrom(from, p.email, code), 400, 'invalid_code');
    expectError(await verifyFrom(from, p.email, code), 400, 'invalid_code');
    expectError(await verifyFrom(from, p.email, code), 429, 'rate_limited');
  });

  it('does not let an unauthenticated request replace a live code younger than three minutes', async () => {
    const p = await t.verifiedPerson('keep');
    const before = t.mail.codeCount(p.email);
    clock.advance(3 * MINUTE);
    await api(t.url, 'POST', '/api/password/forgot', { email: p.email });
    const code = await t.mail.codeFor(p.email, { after: before });
    clock.advance(2 * MINUTE);
    expect((await api(t.url, 'POST', '/api/password/forgot', { email: p.email })).status).to.equal(200);
    // The mail of a later request would arrive after this one's; there is none, and the code holds.
    clock.advance(1 * MINUTE + 1000);
    expect((await api(t.url, 'POST', '/api/password/forgot', { email: p.email })).status).to.equal(200);
    const replaced = await t.mail.codeFor(p.email, { after: before + 1 });
    expect(t.mail.codeCount(p.email)).to.equal(before + 2);
    if (replaced !== code) expectError(await resetFrom(address(), p.email, code), 400, 'invalid_code');
    expect((await resetFrom(address(), p.email, replaced)).status).to.equal(200);
  });
});

describe('security: wrong codes per account per day', () => {
  const clock = manualClock();
  // Only the day's cap binds here: the 10-minute budgets are out of the way.
  const t = useServer({
    mail: true,
    env: { LIMIT_WRONG_CODES_PER_DAY: '7', LIMIT_CODE_FAILURES_PER_10MIN: '1000' },
    overrides: { clock },
  });

  const reset = (email: string, code: string) =>
    api(t.url, 'POST', '/api/password/reset', { email, code, password: 'guessed new phrase' });

  it('caps wrong codes per account per day across codes, tells the owner, and lifts the cap the next day', async () => {
    const p = await t.verifiedPerson('daycap');
    const mailsBefore = t.mail.codeCount(p.email);
    const forgot = async () => {
      clock.advance(3 * MINUTE);
      expect((await api(t.url, 'POST', '/api/password/forgot', { email: p.email })).status).to.equal(200);
    };
    await forgot();
    let code = await t.mail.codeFor(p.email, { after: mailsBefore });
    // Five wrong tries burn the first code, two more on a second one reach the day's seven.
    for (let i = 0; i < 5; i++) expectError(await reset(p.email, wrongOf(code, i)), 400, 'invalid_code');
    await forgot();
    code = await t.mail.codeFor(p.email, { after: mailsBefore + 1 });
    for (let i = 0; i < 2; i++) expectError(await reset(p.email, wrongOf(code, i)), 400, 'invalid_code');
    // The right code is now refused like a wrong one, and the owner was told.
    expectError(await reset(p.email, code), 400, 'invalid_code');
    const notice = await t.mail.waitFor((m) => m.to === p.email && /too many wrong/i.test(m.subject));
    expect(notice.text).to.match(/7 wrong codes/);
    expect(notice.text).to.not.match(/\b\d{6}\b/);
    // The next day (UTC) codes work again.
    clock.advance(24 * 60 * MINUTE);
    await forgot();
    code = await t.mail.codeFor(p.email, { after: mailsBefore + 2 });
    expect((await reset(p.email, code)).status).to.equal(200);
  });
});
