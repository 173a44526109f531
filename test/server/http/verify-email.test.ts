import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { newPerson, type Person } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

const MINUTE = 60_000;

describe('POST /api/verify-email', () => {
  const clock = manualClock();
  // Many wrong codes from one address: that limit has its own tests (limits/code-guessing).
  const t = useServer({ mail: true, env: { LIMIT_CODE_FAILURES_PER_10MIN: '1000' }, overrides: { clock } });

  const verify = (email: string, code: string) => t.api('POST', '/api/verify-email', { email, code });
  /** A code that is certainly not the right one. */
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  async function pending(): Promise<Person & { code: string }> {
    const p = newPerson('verify');
    expect((await t.signUp(p)).status).to.equal(201);
    return { ...p, code: await t.mail.codeFor(p.email) };
  }

  it('verifies with the mailed code, after which login works', async () => {
    const p = await pending();
    expectError(await t.logIn(p.username, p.password), 401, 'invalid_credentials');
    const res = await verify(p.email, p.code);
    expect(res.status).to.equal(200);
    expect(res.body.message).to.be.a('string');
    expect((await t.logIn(p.username, p.password)).status).to.equal(200);
  });

  it('accepts the email in any case and with spaces around it', async () => {
    const p = await pending();
    expect((await verify(` ${p.email.toUpperCase()} `, p.code)).status).to.equal(200);
  });

  it('refuses a wrong code with 400 invalid_code', async () => {
    const p = await pending();
    expectError(await verify(p.email, wrong(p.code)), 400, 'invalid_code');
    expectError(await t.logIn(p.username, p.password), 401, 'invalid_credentials');
  });

  it('still takes the right code after 4 wrong tries', async () => {
    const p = await pending();
    for (let i = 0; i < 4; i++) expectError(await verify(p.email, wrong(p.code)), 400, 'invalid_code');
    expect((await verify(p.email, p.code)).status).to.equal(200);
  });

  it('burns the code after 5 wrong tries: even the right code then fails', async () => {
    const p = await pending();
    for (let i = 0; i < 5; i++) expectError(await verify(p.email, wrong(p.code)), 400, 'invalid_code');
    expectError(await verify(p.email, p.code), 400, 'invalid_code');
    expectError(await t.logIn(p.username, p.password), 401, 'invalid_credentials');
    // A new code is the way out, once the burnt one is a few minutes old.
    clock.advance(3 * MINUTE);
    expect((await t.api('POST', '/api/resend-verification', { email: p.email })).status).to.equal(200);
    const fresh = await t.mail.codeFor(p.email, { after: 1 });
    expect((await verify(p.email, fresh)).status).to.equal(200);
  });

  it('refuses a code 15 minutes old, and takes one just younger', async () => {
    const late = await pending();
    const inTime = await pending();
    clock.advance(15 * MINUTE - 1000);
    expect((await verify(inTime.email, inTime.code)).status).to.equal(200);
    clock.advance(1000);
    expectError(await verify(late.email, late.code), 400, 'invalid_code');
  });

  it('is single use: the same code again answers like a wrong one, as does another code', async () => {
    const p = await pending();
    const first = await verify(p.email, p.code);
    expect(first.status).to.equal(200);
    // "Already verified" would tell anyone holding an old code that the address has an account.
    expectError(await verify(p.email, p.code), 400, 'invalid_code');
    expectError(await verify(p.email, wrong(p.code)), 400, 'invalid_code');
  });

  it('a resend replaces the code: the old one fails, the new one works', async () => {
    const p = await pending();
    clock.advance(3 * MINUTE);
    expect((await t.api('POST', '/api/resend-verification', { email: p.email })).status).to.equal(200);
    const fresh = await t.mail.codeFor(p.email, { after: 1 });
    if (fresh !== p.code) expectError(await verify(p.email, p.code), 400, 'invalid_code');
    expect((await verify(p.email, fresh)).status).to.equal(200);
  });

  it('a resend gives a full 15 minutes again', async () => {
    const p = await pending();
    clock.advance(14 * MINUTE);
    await t.api('POST', '/api/resend-verification', { email: p.email });
    const fresh = await t.mail.codeFor(p.email, { after: 1 });
    clock.advance(14 * MINUTE);
    expect((await verify(p.email, fresh)).status).to.equal(200);
  });

  it('answers an unknown email exactly like a wrong code', async () => {
    const p = await pending();
    const unknown = await verify('nobody-here@example.test', p.code);
    const wrongCode = await verify(p.email, wrong(p.code));
    expectError(unknown, 400, 'invalid_code');
    expect(unknown.body).to.deep.equal(wrongCode.body);
  });

  for (const code of ['12345', '1234567', 'abcdef', '', 123456, null]) {
    it(`refuses the malformed code ${JSON.stringify(code)} with 400 naming code`, async () => {
      const res = await t.api('POST', '/api/verify-email', { email: 'x@example.test', code });
      expect(res.status).to.equal(400);
      expect(res.body.field).to.equal('code');
    });
  }

  it('answers 400 naming the field when email or code is missing', async () => {
    expectError(await t.api('POST', '/api/verify-email', { code: '123456' }), 400, 'invalid_field', 'email');
    expectError(
      await t.api('POST', '/api/verify-email', { email: 'x@example.test' }),
      400,
      'invalid_field',
      'code',
    );
  });
});
