import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { api } from '../../helpers/server.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { logIn, newPerson, signUp } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';

/**
 * An unverified account holds no address: a later signup replaces it, it expires with its code
 * window plus a margin, and logging in to it answers exactly like a wrong password.
 */
describe('security: unverified accounts', () => {
  const clock = manualClock();
  const t = useServer({ mail: true, env: MANY_SIGNUPS, overrides: { clock } });

  const verify = (email: string, code: string) => api(t.url, 'POST', '/api/verify-email', { email, code });

  it("an attacker who signs up first with the victim's address does not get the victim's verified account", async () => {
    const victim = newPerson('victim');
    const attacker = { ...newPerson('probeb'), email: victim.email };
    expect((await signUp(t.url, attacker)).status).to.equal(201);
    await t.mail.codeFor(victim.email);

    // The victim signs up later: their signup replaces the attacker's, with a code of its own.
    expect((await signUp(t.url, victim)).status).to.equal(201);
    const code = await t.mail.codeFor(victim.email, { after: 1 });
    expect((await verify(victim.email, code)).status).to.equal(200);

    expect((await logIn(t.url, victim.username, victim.password)).status).to.equal(200);
    expectError(await logIn(t.url, attacker.username, attacker.password), 401, 'invalid_credentials');
    expectError(await logIn(t.url, victim.email, attacker.password), 401, 'invalid_credentials');
  });

  it('an earlier code does not verify the account that replaced it', async () => {
    const owner = newPerson('earlier');
    expect((await signUp(t.url, { ...newPerson('first'), email: owner.email })).status).to.equal(201);
    const firstCode = await t.mail.codeFor(owner.email);
    expect((await signUp(t.url, owner)).status).to.equal(201);
    const secondCode = await t.mail.codeFor(owner.email, { after: 1 });
    if (firstCode !== secondCode) expectError(await verify(owner.email, firstCode), 400, 'invalid_code');
    expect((await verify(owner.email, secondCode)).status).to.equal(200);
    expect((await logIn(t.url, owner.username, owner.password)).status).to.equal(200);
  });

  it('a login after a signup says nothing about whether the address had an account', async () => {
    const existing = await t.verifiedPerson('had');
    const onTaken = { ...newPerson('probea'), email: existing.email };
    const onFree = newPerson('probec');
    expect((await signUp(t.url, onTaken)).status).to.equal(201);
    expect((await signUp(t.url, onFree)).status).to.equal(201);
    for (const id of ['username', 'email'] as const) {
      const taken = await logIn(t.url, onTaken[id], onTaken.password);
      const free = await logIn(t.url, onFree[id], onFree.password);
      expectError(taken, 401, 'invalid_credentials');
      expect(free.status, id).to.equal(taken.status);
      expect(free.body, id).to.deep.equal(taken.body);
    }
  });

  it('the notice for a taken address points to a password reset, never to a new code', async () => {
    const owner = await t.verifiedPerson('noticed');
    expect((await signUp(t.url, { ...newPerson('other'), email: owner.email })).status).to.equal(201);
    const notice = await t.mail.waitFor((m) => m.to === owner.email && /tried to sign up/i.test(m.subject));
    expect(notice.text).to.include(`mux1 password forgot --email ${owner.email}`);
    expect(notice.text).to.not.match(/resend/i);
  });

  it('expires with its code window plus a margin: its username is free again and its code refused', async () => {
    const stale = newPerson('stale');
    expect((await signUp(t.url, stale)).status).to.equal(201);
    const code = await t.mail.codeFor(stale.email);
    // Before expiry the username is held.
    expectError(
      await signUp(t.url, { ...newPerson('taker'), username: stale.username }),
      409,
      'username_taken',
    );
    clock.advance((15 + 61) * 60_000);
    expectError(await verify(stale.email, code), 400, 'invalid_code');
    const taker = { ...newPerson('taker'), username: stale.username };
    expect((await signUp(t.url, taker)).status).to.equal(201);
    const takerCode = await t.mail.codeFor(taker.email);
    expect((await verify(taker.email, takerCode)).status).to.equal(200);
    expect((await logIn(t.url, taker.username, taker.password)).status).to.equal(200);
  });
});
