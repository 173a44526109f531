import { expect } from 'chai';
import { api } from '../../helpers/server.js';
import { useServer } from '../../helpers/fixture.js';
import { expectError } from '../../helpers/errors.js';

/**
 * A password reset checks its code before it hashes anything: a wrong code costs no scrypt run,
 * for a known email as for an unknown one (equal cost, so equal time, with no timing figure in a
 * test), and only the right code is followed by the one hash of the new password.
 */
describe('security: what a password reset costs', () => {
  const t = useServer({ mail: true, env: { LIMIT_CODE_FAILURES_PER_10MIN: '1000' } });

  const reset = (email: string, code: string, password = 'brand new phrase 7') =>
    api(t.url, 'POST', '/api/password/reset', { email, code, password });

  it('runs no scrypt for a wrong code, known email or not, and one for the right code', async () => {
    const p = await t.verifiedPerson('cost');
    expect((await api(t.url, 'POST', '/api/password/forgot', { email: p.email })).status).to.equal(200);
    const code = await t.mail.codeFor(p.email, { after: 1 });
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    const before = t.server.hasher.runs;
    const known = await reset(p.email, wrong);
    const unknown = await reset('nobody-at-all@example.test', wrong);
    expect(t.server.hasher.runs, 'scrypt runs for two wrong codes').to.equal(before);
    expectError(known, 400, 'invalid_code');
    expect(unknown.status).to.equal(known.status);
    expect(unknown.body).to.deep.equal(known.body);

    expect((await reset(p.email, code)).status).to.equal(200);
    expect(t.server.hasher.runs - before, 'scrypt runs for the right code').to.equal(1);
  });

  it('keeps the code when the new password is weak, and hashes nothing for it', async () => {
    const p = await t.verifiedPerson('weakreset');
    await api(t.url, 'POST', '/api/password/forgot', { email: p.email });
    const code = await t.mail.codeFor(p.email, { after: 1 });
    const before = t.server.hasher.runs;
    expectError(await reset(p.email, code, p.username), 400, 'weak_password');
    expect(t.server.hasher.runs).to.equal(before);
    expect((await reset(p.email, code)).status).to.equal(200);
  });
});
