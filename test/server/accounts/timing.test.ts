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

/** Medians within 25% of each other. */
function expectClose(a: number, b: number, what: string): void {
  expect(Math.abs(a - b) / Math.max(a, b), `${what}: ${a.toFixed(1)} ms vs ${b.toFixed(1)} ms`).to.be.below(
    0.25,
  );
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
    // Wrong passwords spread over fresh accounts, so the lockout never answers early.
    const victims: Person[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const p = newPerson('victim');
      expect((await signup(p)).status).to.equal(201);
      victims.push(p);
    }
    const { a: wrong, b: unknown } = await paired(
      async (i) => expect((await login(victims[i]!.username)).status).to.equal(401),
      async (i) => expect((await login(`nobody-${i}-by-this-name`)).status).to.equal(401),
    );
    expectClose(unknown, wrong, 'unknown vs wrong password');
  });

  it('signup: a taken email costs what a new one costs (medians within 25%)', async () => {
    const { a: fresh, b: taken } = await paired(
      async () => expect((await signup(newPerson('fresh'))).status).to.equal(201),
      async () =>
        expect((await signup({ ...newPerson('copycat'), email: known.email })).status).to.equal(201),
    );
    expectClose(taken, fresh, 'taken vs new email');
  });
});
