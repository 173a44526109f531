import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CHALLENGE_HEADER } from '../../../server/protocol.js';
import { rawApi, startTestServer, type TestServer } from '../../helpers/server.js';
import { solvedChallenge } from '../../helpers/challenge.js';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';

/**
 * A proof-of-work solution is good for one request wherever CHALLENGE_SECRET is shared: without
 * Redis the used ones are kept in the database, so neither a restart nor a second process on the
 * same database accepts one again.
 */
describe('security: a used challenge solution after a restart and on a second process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mux1-replay-'));
  const env = {
    CHALLENGE_SECRET: 'a shared secret of at least thirty-two characters',
    // Past half of a budget of 2, that is from the second signup on, a challenge is needed.
    LIMIT_SIGNUPS_PER_10MIN: '2',
    TRUST_PROXY: '1',
  };
  const open: TestServer[] = [];
  const start = async () => {
    const t = await startTestServer({ env, dir });
    open.push(t);
    return t;
  };
  after(async () => {
    for (const t of open) await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  /**
   * A signup carrying `solution`, from an address of its own after one signup from there that
   * needs no challenge, so this one needs it.
   */
  async function signupWith(t: TestServer, solution: string) {
    const from = { 'x-forwarded-for': `10.4.0.${++n}` };
    expect((await rawApi(t.url, 'POST', '/api/signup', newPerson('replay'), from)).status).to.equal(201);
    return rawApi(t.url, 'POST', '/api/signup', newPerson('replay'), {
      ...from,
      [CHALLENGE_HEADER]: solution,
    });
  }

  it('refuses a solution used before the restart, and one used by the other process', async () => {
    const first = await start();
    const solution = await solvedChallenge(first.url);
    expect((await signupWith(first, solution)).status).to.equal(201);
    expectError(await signupWith(first, solution), 428, 'challenge_required');
    await first.close();

    const restarted = await start();
    const replayed = await signupWith(restarted, solution);
    expectError(replayed, 428, 'challenge_required');
    expect(replayed.body.error).to.match(/already used/);

    // A second process on the same database and secret, beside the first.
    const other = await start();
    const fresh = await solvedChallenge(restarted.url);
    expect((await signupWith(restarted, fresh)).status).to.equal(201);
    expectError(await signupWith(other, fresh), 428, 'challenge_required');
  });
});
