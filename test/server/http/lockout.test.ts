import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

const MINUTE = 60_000;

describe('login lockout: 5 consecutive failures lock the account for 15 minutes', () => {
  const clock = manualClock();
  // Every test here fails logins from 127.0.0.1: lift the per-address budget, which has its own tests.
  const t = useServer({ mail: true, env: { LIMIT_FAILED_LOGINS_PER_10MIN: '1000' }, overrides: { clock } });

  const fail = async (id: string, times: number) => {
    for (let i = 0; i < times; i++)
      expectError(await t.logIn(id, 'wrong-password!'), 401, 'invalid_credentials');
  };
  const retryAfter = (res: { headers: Headers }) => Number(res.headers.get('retry-after'));

  it('refuses the 6th try with 429 too_many_attempts and Retry-After, even with the right password', async () => {
    const p = await t.verifiedPerson('locked');
    await fail(p.username, 5);
    const res = await t.logIn(p.username, p.password);
    expectError(res, 429, 'too_many_attempts');
    expect(retryAfter(res)).to.be.within(15 * 60 - 1, 15 * 60);
    expect(res.body.token).to.equal(undefined);
  });

  it('opens again after 15 minutes, and Retry-After counts down meanwhile', async () => {
    const p = await t.verifiedPerson('waits');
    await fail(p.username, 5);
    clock.advance(10 * MINUTE);
    const still = await t.logIn(p.username, p.password);
    expectError(still, 429, 'too_many_attempts');
    expect(retryAfter(still)).to.be.within(5 * 60 - 1, 5 * 60);
    clock.advance(5 * MINUTE);
    const res = await t.logIn(p.username, p.password);
    expect(res.status).to.equal(200);
    expect(res.body.token).to.be.a('string');
  });

  it('does not check the password while locked: a wrong one gets 429 too and does not extend the lock', async () => {
    const p = await t.verifiedPerson('nocheck');
    await fail(p.username, 5);
    clock.advance(14 * MINUTE);
    expectError(await t.logIn(p.username, 'wrong-password!'), 429, 'too_many_attempts');
    clock.advance(1 * MINUTE);
    expect((await t.logIn(p.username, p.password)).status).to.equal(200);
  });

  it('counts failures by username and by email against the same account', async () => {
    const p = await t.verifiedPerson('both');
    await fail(p.username, 3);
    await fail(p.email, 2);
    expectError(await t.logIn(p.email, p.password), 429, 'too_many_attempts');
    expectError(await t.logIn(p.username, p.password), 429, 'too_many_attempts');
  });

  it('counts only consecutive failures: a good login starts the count again', async () => {
    const p = await t.verifiedPerson('reset');
    await fail(p.username, 4);
    expect((await t.logIn(p.username, p.password)).status).to.equal(200);
    await fail(p.username, 4);
    expect((await t.logIn(p.username, p.password)).status).to.equal(200);
  });

  it('forgets failures older than 15 minutes', async () => {
    const p = await t.verifiedPerson('old');
    await fail(p.username, 4);
    clock.advance(16 * MINUTE);
    await fail(p.username, 1);
    expect((await t.logIn(p.username, p.password)).status).to.equal(200);
  });

  it('locks an unverified account too, whose right password counts as a failure', async () => {
    const p = newPerson('unverified');
    expect((await t.signUp(p)).status).to.equal(201);
    await fail(p.username, 5);
    expectError(await t.logIn(p.username, p.password), 429, 'too_many_attempts');
  });

  it('does not lock one account for failures on another', async () => {
    const victim = await t.verifiedPerson('victim');
    const other = await t.verifiedPerson('other');
    await fail(other.username, 5);
    expect((await t.logIn(victim.username, victim.password)).status).to.equal(200);
  });

  it('counts wrong passwords sent at the same moment, each one', async () => {
    const p = await t.verifiedPerson('burst');
    const burst = await Promise.all(Array.from({ length: 5 }, () => t.logIn(p.username, 'wrong-password!')));
    for (const res of burst) expectError(res, 401, 'invalid_credentials');
    expectError(await t.logIn(p.username, p.password), 429, 'too_many_attempts');
  });

  it('lets at most 5 of 10 simultaneous guesses be checked; the rest are refused unchecked', async () => {
    const p = await t.verifiedPerson('flood');
    const burst = await Promise.all(Array.from({ length: 10 }, () => t.logIn(p.username, 'wrong-password!')));
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([...Array(5).fill(401), ...Array(5).fill(429)]);
  });
});
