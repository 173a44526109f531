import { expect } from 'chai';
import { rawApi } from '../../helpers/server.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';

/**
 * The challenge counts failures, not attempts in flight: correct logins that arrive together,
 * to one account or to several from one address, never get 428.
 */
describe('security: correct logins at the same moment', () => {
  const t = useServer({ mail: true, env: MANY_SIGNUPS });

  // rawApi: a 428 is returned as it is, not solved and sent again.
  const login = (username: string, password: string) =>
    rawApi(t.url, 'POST', '/api/login', { username, password });

  // Five: the lockout lets at most five attempts at one account be in flight together (so a burst
  // of guesses checks at most five passwords), and that is its own rule.
  it('five at once to one account all succeed, round after round', async () => {
    const p = await t.verifiedPerson('together');
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(Array.from({ length: 5 }, () => login(p.username, p.password)));
      expect(
        answers.map((r) => r.status),
        `round ${round}`,
      ).to.deep.equal(Array(5).fill(200));
    }
  });

  it('six at once to six accounts from one address all succeed', async () => {
    const people = [];
    for (let i = 0; i < 6; i++) people.push(await t.verifiedPerson('several'));
    const answers = await Promise.all(people.map((p) => login(p.username, p.password)));
    expect(answers.map((r) => r.status)).to.deep.equal(Array(6).fill(200));
  });

  it('still asks for the challenge after three failures that have ended', async () => {
    const p = await t.verifiedPerson('stillasks');
    for (let i = 0; i < 3; i++) expect((await login(p.username, `wrong ${i} password`)).status).to.equal(401);
    expect((await login(p.username, p.password)).status).to.equal(428);
  });
});
