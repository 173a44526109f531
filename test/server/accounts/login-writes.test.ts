import { expect } from 'chai';
import { bearer } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

interface Query {
  sql: string;
  __knexQueryUid: string;
  __knexTxId?: string;
}

/**
 * A login asks SQLite's one writer for its turn twice: the claim in the account's run of failures
 * (before the password is checked), then one transaction that ends the run, makes the session,
 * caps the sessions and records the event. Each turn waits behind the whole writer queue, which
 * under a flood is most of a login's time (bench/kdf-dos.ts).
 */
describe('a login waits for the writer twice: the claim, then one transaction', () => {
  const t = useServer({ mail: true });

  /** The writer's turns taken while `work` ran: a transaction counts once, a lone query once. */
  async function writerTurns(work: () => Promise<void>): Promise<string[][]> {
    const turns = new Map<string, string[]>();
    const watch = (q: Query) => {
      // The outbox worker's polling runs on its own; only the account tables are the login's.
      const key = q.__knexTxId ?? q.__knexQueryUid;
      if (!q.__knexTxId && !/\b(users|sessions|audit_events)\b/.test(q.sql)) return;
      turns.set(key, [...(turns.get(key) ?? []), q.sql]);
    };
    t.db.on('query', watch);
    try {
      await work();
    } finally {
      t.db.off('query', watch);
    }
    // On PostgreSQL readerOf(db) is db: the lookup is a turn there, and no writer's.
    return [...turns.values()].filter((sqls) => sqls.some((s) => !/^\s*select\b/i.test(s)));
  }

  it('takes two turns for a login, and the session works', async () => {
    const p = await t.verifiedPerson('twoturns');
    let token = '';
    const turns = await writerTurns(async () => {
      const res = await t.logIn(p.username, p.password);
      expect(res.status).to.equal(200);
      token = res.body.token as string;
    });
    expect(turns, JSON.stringify(turns)).to.have.length(2);
    const [claim, rest] = turns as [string[], string[]];
    expect(claim.join(' ')).to.match(/update\s+\W?users/i);
    const all = rest.join('\n');
    expect(all).to.match(/insert into\s+\W?sessions/i);
    expect(all).to.match(/insert into\s+\W?audit_events/i);
    expect(all).to.match(/update\s+\W?users\W?\s+set\s+\W?failed_logins\W?\s*=/i);
    expect((await t.api('GET', '/api/me', undefined, bearer(token))).status).to.equal(200);
  });

  it('ends the run of failures with the login: four wrong, one right, four wrong again and no lock', async () => {
    const p = await t.verifiedPerson('runends');
    for (let i = 0; i < 4; i++) expect((await t.logIn(p.username, 'wrong-password!')).status).to.equal(401);
    expect((await t.logIn(p.username, p.password)).status).to.equal(200);
    for (let i = 0; i < 4; i++) expect((await t.logIn(p.username, 'wrong-password!')).status).to.equal(401);
    expect((await t.logIn(p.username, p.password)).status).to.equal(200);
  });
});
