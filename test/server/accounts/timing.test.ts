import { expect } from 'chai';
import { newPerson, type Person } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const SAMPLES = 25;

/**
 * Times two kinds of request in alternation (a, b, a, b, ...), so a slow spell of the machine
 * lands on both alike, and returns the median of each.
 */
async function paired(a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>) {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    for (const [f, times] of [
      [a, ta],
      [b, tb],
    ] as const) {
      const started = performance.now();
      await f(i);
      times.push(performance.now() - started);
    }
  }
  return { a: median(ta), b: median(tb) };
}

/**
 * Medians within 25% of each other, in one of three tries. A leak (a KDF skipped) is most of the
 * request's cost and shows in every try; the machine's noise (other test files running beside
 * this one, as the PostgreSQL system run does) rarely lands on one kind three times.
 */
async function expectSameCost(measure: () => Promise<{ a: number; b: number }>, what: string): Promise<void> {
  const tries: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { a, b } = await measure();
    tries.push(`${a.toFixed(1)} ms vs ${b.toFixed(1)} ms`);
    if (Math.abs(a - b) / Math.max(a, b) < 0.25) return;
  }
  expect.fail(`${what}: medians more than 25% apart in every try (${tries.join('; ')})`);
}

/**
 * What a request costs must not tell whether an account exists. scrypt runs at a cost high
 * enough here (logN 14, tens of ms) that skipping it would stand out from network noise. Each
 * request comes from its own address (TRUST_PROXY), so no abuse limit or proof-of-work
 * challenge steps in: those are the same for both kinds and have their own tests.
 */
describe('accounts: answers that take the same time whether or not the account exists', function () {
  this.timeout(60_000);
  let known: Person;
  let address = 0;
  const fresh = () => ({ 'x-forwarded-for': `192.0.2.${(address = (address % 250) + 1)}` });

  // No SMTP: the development mailbox keeps mail sending from competing with the requests
  // being timed. Whether the email is verified does not change a signup's answer.
  const t = useServer({
    env: { SCRYPT_LOG_N: '14', TRUST_PROXY: '1', LIMIT_SIGNUPS_PER_10MIN: '1000', LOG_LEVEL: 'warn' },
  });

  before(async () => {
    known = newPerson('timed');
    expect((await t.api('POST', '/api/signup', known)).status).to.equal(201);
  });

  const login = (username: string) =>
    t.api('POST', '/api/login', { username, password: 'not the password' }, fresh());
  const signup = (p: Person) => t.api('POST', '/api/signup', p, fresh());

  it('login: an unknown user costs what a wrong password costs (medians within 25%)', async () => {
    // Wrong passwords spread over fresh accounts (each try its own), so no lockout or challenge
    // answers early.
    let tries = 0;
    await expectSameCost(async () => {
      const victims: Person[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const p = newPerson('victim');
        expect((await signup(p)).status).to.equal(201);
        victims.push(p);
      }
      tries++;
      return paired(
        async (i) => expect((await login(victims[i]!.username)).status).to.equal(401),
        async (i) => expect((await login(`nobody-${tries}-${i}-by-this-name`)).status).to.equal(401),
      );
    }, 'wrong password vs unknown user');
  });

  it('signup: a taken email costs what a new one costs (medians within 25%)', async () => {
    await expectSameCost(
      () =>
        paired(
          async () => expect((await signup(newPerson('fresh'))).status).to.equal(201),
          async () =>
            expect((await signup({ ...newPerson('copycat'), email: known.email })).status).to.equal(201),
        ),
      'new vs taken email',
    );
  });
});
