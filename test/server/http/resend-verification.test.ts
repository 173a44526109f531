import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { api } from '../../helpers/server.js';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

describe('POST /api/resend-verification', () => {
  // A live code younger than a few minutes is not replaced: each resend comes later than that.
  const clock = manualClock();
  const t = useServer({ mail: true, overrides: { clock } });
  // The same request against a server without that account shows what "unknown" answers.
  const empty = useServer({ mail: true });

  const resend = (url: string, email: string) => {
    clock.advance(3 * 60_000);
    return api(url, 'POST', '/api/resend-verification', { email });
  };

  it('mails a new code to an account waiting for verification', async () => {
    const p = newPerson('resend');
    await t.signUp(p);
    await t.mail.codeFor(p.email);
    const res = await resend(t.url, p.email);
    expect(res.status).to.equal(200);
    expect(res.body.message).to.be.a('string');
    await t.mail.codeFor(p.email, { after: 1 });
  });

  it('answers an unknown email exactly like a known one', async () => {
    const p = newPerson('resend');
    await t.signUp(p);
    await t.mail.codeFor(p.email);
    const known = await resend(t.url, p.email);
    const unknown = await resend(empty.url, p.email);
    expect(unknown.status).to.equal(known.status);
    expect(unknown.body).to.deep.equal(known.body);
  });

  it('answers a verified account the same way, and sends it no code', async () => {
    const done = await t.verifiedPerson('done');
    const waiting = newPerson('waiting');
    await t.signUp(waiting);
    await t.mail.codeFor(waiting.email);

    const forVerified = await resend(t.url, done.email);
    const forUnknown = await resend(empty.url, done.email);
    expect(forVerified.status).to.equal(200);
    expect(forVerified.body).to.deep.equal(forUnknown.body);

    // Mail leaves in order, so once the later resend's code is here the earlier one would be too.
    expect((await resend(t.url, waiting.email)).status).to.equal(200);
    await t.mail.codeFor(waiting.email, { after: 1 });
    expect(t.mail.codeCount(done.email)).to.equal(1);
  });

  it('normalises the email like signup does', async () => {
    const p = newPerson('resend');
    await t.signUp(p);
    await t.mail.codeFor(p.email);
    expect((await resend(t.url, `  ${p.email.toUpperCase()} `)).status).to.equal(200);
    await t.mail.codeFor(p.email, { after: 1 });
  });

  it('answers 400 naming email for a missing or malformed email', async () => {
    expectError(await t.api('POST', '/api/resend-verification', {}), 400, 'invalid_field', 'email');
    expectError(await resend(t.url, 'not-an-email'), 400, 'invalid_field', 'email');
    expectError(await t.api('POST', '/api/resend-verification', { email: 7 }), 400, 'invalid_field', 'email');
  });
});
