import { expect } from 'chai';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

let octet = 0;
const fresh = () => ({ 'x-forwarded-for': `192.0.2.${++octet}` });

/**
 * A name without an account locks after 5 failures like an account does, so the 6th guess (and
 * its Retry-After) cannot tell whether the name has an account.
 */
describe('lockout: a name without an account answers like one with', () => {
  const t = useServer({ env: { TRUST_PROXY: '1' } });

  const login = (username: string, password: string) =>
    t.api('POST', '/api/login', { username, password }, fresh());

  it('refuses the 6th try with the same 429 and Retry-After, right password or not', async () => {
    const p = newPerson('real');
    expect((await t.api('POST', '/api/signup', p, fresh())).status).to.equal(201);
    await t.db('users').where({ username: p.username }).update({ email_verified_at: Date.now() });
    const ghost = `ghost${Date.now()}`;
    for (let i = 0; i < 5; i++) {
      expectError(await login(p.username, 'wrong-password'), 401, 'invalid_credentials');
      expectError(await login(ghost, 'wrong-password'), 401, 'invalid_credentials');
    }
    const real = await login(p.username, p.password);
    const fake = await login(ghost, 'wrong-password');
    expectError(real, 429, 'too_many_attempts');
    expectError(fake, 429, 'too_many_attempts');
    expect(fake.body).to.deep.equal(real.body);
    expect(Number(fake.headers.get('retry-after'))).to.be.within(
      Number(real.headers.get('retry-after')) - 2,
      Number(real.headers.get('retry-after')) + 2,
    );
  });
});
