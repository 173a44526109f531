import { expect } from 'chai';
import { api } from '../../helpers/server.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { type Person } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';

/** Every scrypt run counts against the client address's LIMIT_KDF_PER_10MIN, whatever its outcome. */
describe('security: the per-address budget of password hashes', () => {
  const t = useServer({
    mail: true,
    env: {
      TRUST_PROXY: '1',
      LIMIT_KDF_PER_10MIN: '4',
      ...MANY_SIGNUPS,
    },
  });
  let p: Person;

  before(async () => {
    // Made from loopback; the requests under test come from addresses of their own.
    p = await t.verifiedPerson('kdf');
  });

  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const login = (ip: string, password: string) =>
    api(t.url, 'POST', '/api/login', { username: p.username, password }, from(ip));

  it('counts right passwords too: the next login past the budget is 429 and hashes nothing', async () => {
    for (let i = 0; i < 4; i++)
      expect((await login('10.1.0.1', p.password)).status, `login ${i}`).to.equal(200);
    const runs = t.server.hasher.runs;
    const refused = await login('10.1.0.1', p.password);
    expectError(refused, 429, 'rate_limited');
    expect(refused.headers.get('retry-after')).to.match(/^\d+$/);
    expect(t.server.hasher.runs).to.equal(runs);
    // Another address has its own budget.
    expect((await login('10.1.0.2', p.password)).status).to.equal(200);
  });

  it('shares one budget between signups, logins to unknown names and wrong passwords', async () => {
    const ip = '10.1.0.3';
    const signup = (n: number) =>
      api(
        t.url,
        'POST',
        '/api/signup',
        { username: `kdfsign${n}`, email: `kdfsign${n}@example.test`, password: 'a long signup pass 1' },
        from(ip),
      );
    expect((await signup(1)).status).to.equal(201);
    expect((await signup(2)).status).to.equal(201);
    expectError(
      await api(t.url, 'POST', '/api/login', { username: 'nobody-here', password: 'x-password-1' }, from(ip)),
      401,
      'invalid_credentials',
    );
    expectError(await login(ip, 'not the password'), 401, 'invalid_credentials');
    const runs = t.server.hasher.runs;
    expectError(await signup(3), 429, 'rate_limited');
    expectError(await login(ip, p.password), 429, 'rate_limited');
    expect(t.server.hasher.runs).to.equal(runs);
  });

  it('refuses a taken username before hashing: the refusal neither waits for scrypt nor spends the budget', async () => {
    const ip = '10.1.0.4';
    const taken = {
      username: p.username,
      email: 'someone-else@example.test',
      password: 'a long signup pass 2',
    };
    const runs = t.server.hasher.runs;
    for (let i = 0; i < 5; i++) {
      expectError(await api(t.url, 'POST', '/api/signup', taken, from(ip)), 409, 'username_taken');
    }
    expect(t.server.hasher.runs).to.equal(runs);
    // The address's 4 hashes are all still there.
    for (let i = 0; i < 4; i++) expect((await login(ip, p.password)).status, `login ${i}`).to.equal(200);
  });
});
