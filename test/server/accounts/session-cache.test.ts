import { expect } from 'chai';
import { bearer } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';
import { credentialCacheFor } from '../../../server/accounts/credential-cache.js';
import type { Authenticated } from '../../../server/accounts/sessions.js';
import { readerOf } from '../../../server/store/db.js';

/**
 * Sessions are cached for up to a second (SessionCache in server/accounts/sessions.ts); a session ended in
 * this process must still stop working at once, however it is ended.
 */
describe('session lookups are cached, and revocation still takes effect at once', () => {
  const t = useServer({ mail: true });

  const me = (token: string) => t.api('GET', '/api/me', undefined, bearer(token));

  it('a logged-out token is refused on the very next request, though it was just looked up', async () => {
    const p = await t.loggedInPerson('cachelogout');
    expect((await me(p.token)).status).to.equal(200);
    expect((await t.api('POST', '/api/logout', undefined, bearer(p.token))).status).to.equal(204);
    expect((await me(p.token)).status).to.equal(401);
  });

  it('a session revoked by a direct write to the database is refused at once', async () => {
    const p = await t.loggedInPerson('cacherow');
    expect((await me(p.token)).status).to.equal(200);
    await t.db('sessions').update({ revoked_at: Date.now() });
    expect((await me(p.token)).status).to.equal(401);
  });

  it('a deleted account is refused at once', async () => {
    const p = await t.loggedInPerson('cachegone');
    expect((await me(p.token)).status).to.equal(200);
    await t.server
      .db('sessions')
      .where({ user_id: (await me(p.token)).body.user.id })
      .delete();
    expect((await me(p.token)).status).to.equal(401);
  });

  it('requests that miss the cache together share one lookup of their session', async () => {
    const p = await t.loggedInPerson('cacheonce');
    expect((await me(p.token)).status).to.equal(200);
    // Any update naming sessions empties the cache: the next requests all miss at once.
    await t.server.db('sessions').where({ id: 'none' }).update({ revoked_at: 1 });
    let lookups = 0;
    const count = (q: { sql: string }) => {
      // SQLite quotes names with backticks, PostgreSQL with double quotes.
      if (/from [`"]sessions[`"]/.test(q.sql)) lookups++;
    };
    const dbs = [...new Set([t.server.db, readerOf(t.server.db)])];
    for (const db of dbs) db.on('query', count);
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => me(p.token)));
      expect(answers.map((a) => a.status)).to.deep.equal(Array(8).fill(200));
      expect(new Set(answers.map((a) => a.body.user.id)).size).to.equal(1);
    } finally {
      for (const db of dbs) db.off('query', count);
    }
    expect(lookups).to.equal(1);
  });

  it('a lookup begun before a write that could revoke is not joined after it', async () => {
    const cache = credentialCacheFor(t.server.db);
    let finish!: (auth: Authenticated) => void;
    const stale = { user: { id: 1 }, session: { id: 'old' } } as unknown as Authenticated;
    const first = cache.once('hash-of-a-token', () => new Promise((resolve) => (finish = resolve)));
    // Joined while the same lookup is under way: the same answer, as a copy of its own.
    const joined = cache.once('hash-of-a-token', () => Promise.reject(new Error('not asked')));
    cache.clear();
    let askedAgain = false;
    const after = cache.once('hash-of-a-token', async () => {
      askedAgain = true;
      return { user: { id: 1 }, session: { id: 'new' } } as unknown as Authenticated;
    });
    finish(stale);
    expect((await first).session.id).to.equal('old');
    const copy = await joined;
    expect(copy.session.id).to.equal('old');
    expect(copy.session).to.not.equal((await first).session);
    expect((await after).session.id).to.equal('new');
    expect(askedAgain).to.equal(true);
  });

  it('a failed lookup fails every request that joined it, and the next one asks again', async () => {
    const cache = credentialCacheFor(t.server.db);
    const refused = new Error('refused');
    const a = cache.once('hash-of-a-bad-token', () => Promise.reject(refused));
    const b = cache.once('hash-of-a-bad-token', () => Promise.reject(new Error('not asked')));
    for (const p of [a, b]) {
      try {
        await p;
        expect.fail('a failed lookup answered');
      } catch (err) {
        expect(err).to.equal(refused);
      }
    }
    let asked = false;
    await cache
      .once('hash-of-a-bad-token', async () => {
        asked = true;
        throw refused;
      })
      .catch(() => undefined);
    expect(asked).to.equal(true);
  });

  it('answers the same user from the cache as from the database', async () => {
    const p = await t.loggedInPerson('cachesame');
    const first = await me(p.token);
    const second = await me(p.token);
    expect(second.status).to.equal(200);
    expect(second.body).to.deep.equal(first.body);
  });

  it('tokens taking turns over one connection are each answered as their own account', async () => {
    const a = await t.loggedInPerson('cacheturna');
    const b = await t.loggedInPerson('cacheturnb');
    const { accounts } = t.server;
    const idA = (await accounts.authenticateToken(a.token)).user.id;
    const idB = (await accounts.authenticateToken(b.token)).user.id;
    expect(idA).to.not.equal(idB);
    // The request's socket, as requireAuth passes it: the hash of the last token is kept on it.
    const connection = {};
    for (const [token, id] of [
      [a.token, idA],
      [b.token, idB],
      [a.token, idA],
      [a.token, idA],
      [b.token, idB],
    ] as const) {
      expect(accounts.cachedAuthentication(token, connection)?.user.id).to.equal(id);
    }
    expect(accounts.cachedAuthentication(a.token + 'x', connection)).to.equal(undefined);
    expect(accounts.cachedAuthentication(b.token, {})?.user.id).to.equal(idB);
  });
});
