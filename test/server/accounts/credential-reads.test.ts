import { expect } from 'chai';
import { readerOf } from '../../../server/store/db.js';
import { bearer } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';
import { makeToken } from '../../helpers/tokens.js';

/**
 * Credential lookups read on the reader connections (the rule at readerOf in server/store/db.ts):
 * on SQLite the writer serves one query at a time, and a bearer must not wait behind whatever
 * holds it. Here a transaction holds the writer while tokens are checked.
 */
describe('credential lookups read beside the writer', () => {
  const t = useServer({ mail: true });

  /** Runs `work` while a transaction holds the writer connection; its answer or 'timeout'. */
  async function whileWriterHeld<T>(work: () => Promise<T>, ms = 5000): Promise<T | 'timeout'> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const transaction = t.db.transaction(async (trx) => {
      await trx('users').count({ n: '*' });
      held();
      await released;
    });
    await holding;
    try {
      return await Promise.race([
        work(),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms)),
      ]);
    } finally {
      release();
      await transaction;
    }
  }

  it('has reader connections beside the writer on a SQLite file (else this suite proves nothing)', function () {
    if (t.database !== 'sqlite') this.skip();
    expect(readerOf(t.db)).to.not.equal(t.db);
  });

  it('authenticates a session token not looked up before while the writer is held', async () => {
    const p = await t.loggedInPerson('heldsession');
    const status = await whileWriterHeld(async () => {
      const res = await t.api('GET', '/api/me', undefined, bearer(p.token));
      return res.status;
    });
    expect(status).to.equal(200);
  });

  it('authenticates an access token used before (no first-use write) while the writer is held', async () => {
    const p = await t.loggedInPerson('heldtoken');
    const { token } = await makeToken(t, p.token, ['profile:read']);
    expect((await t.as(token)('GET', '/api/me')).status).to.equal(200);
    // Past the one-second credential cache, so the next use asks the database again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const status = await whileWriterHeld(async () => (await t.as(token)('GET', '/api/me')).status);
    expect(status).to.equal(200);
  });

  it('still refuses at once a session revoked just before, read beside the writer', async () => {
    const p = await t.loggedInPerson('heldrevoked');
    expect((await t.api('POST', '/api/logout', undefined, bearer(p.token))).status).to.equal(204);
    const status = await whileWriterHeld(async () => {
      const res = await t.api('GET', '/api/me', undefined, bearer(p.token));
      return res.status;
    });
    expect(status).to.equal(401);
  });
});
