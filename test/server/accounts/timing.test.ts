import { expect } from 'chai';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { logIn, newPerson, signUp, verifiedPerson, type Person } from '../../helpers/accounts.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(f: () => Promise<unknown>, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await f();
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * What a request costs must not tell whether an account exists. scrypt runs at a cost high
 * enough here (logN 14, tens of ms) that skipping it would stand out from network noise.
 */
describe('accounts: answers that take the same time whether or not the account exists', function () {
  this.timeout(30_000);
  let smtp: TestSmtp;
  let t: TestServer;
  let known: Person;

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url, SCRYPT_LOG_N: '14' } });
    known = await verifiedPerson(t.url, smtp, 'timed');
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  it('login: an unknown user costs about what a wrong password costs', async () => {
    // Wrong passwords spread over fresh accounts, so the lockout never answers early.
    const victims: Person[] = [];
    for (let i = 0; i < 5; i++) {
      const p = newPerson('victim');
      await signUp(t.url, p);
      victims.push(p);
    }
    let i = 0;
    const wrongPassword = await timed(() => logIn(t.url, victims[i++]!.username, 'not the password'));
    const unknownUser = await timed(() => logIn(t.url, 'nobody-by-this-name', 'not the password'));
    expect(unknownUser, `unknown ${unknownUser} ms vs wrong ${wrongPassword} ms`).to.be.above(
      wrongPassword * 0.5,
    );
    expect(unknownUser).to.be.below(wrongPassword * 2);
  });

  it('signup: a taken email costs about what a new one costs', async () => {
    const fresh = await timed(() => signUp(t.url, newPerson('fresh')));
    const taken = await timed(() => signUp(t.url, { ...newPerson('copycat'), email: known.email }));
    expect(taken, `taken ${taken} ms vs fresh ${fresh} ms`).to.be.above(fresh * 0.5);
    expect(taken).to.be.below(fresh * 2);
  });
});
