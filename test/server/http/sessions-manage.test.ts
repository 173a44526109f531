import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { bearer } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { ask, disconnected, settle } from '../../helpers/sockets.js';
import { auditTypes, userIdOf } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('GET /api/sessions, DELETE /api/sessions/:id, POST /api/sessions/revoke-others', () => {
  const clock = manualClock();
  const t = useServer({ mail: true, overrides: { clock } });

  const me = (token: string) => t.api('GET', '/api/me', undefined, bearer(token));
  const list = async (token: string) => {
    const res = await t.as(token)('GET', '/api/sessions');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.sessions as any[];
  };
  const loginWith = async (username: string, password: string, agent: string) =>
    (await t.api('POST', '/api/login', { username, password }, { 'user-agent': agent })).body.token as string;

  it('all need a session', async () => {
    expectError(await t.api('GET', '/api/sessions'), 401, 'unauthorized');
    expectError(await t.api('DELETE', '/api/sessions/abc'), 401, 'unauthorized');
    expectError(await t.api('POST', '/api/sessions/revoke-others'), 401, 'unauthorized');
  });

  it('lists live sessions with id, times, agent, address and the current one flagged, never a hash', async () => {
    const p = await t.loggedInPerson('lister');
    const phone = await loginWith(p.username, p.password, 'phone-app/2.0');
    const sessions = await list(phone);
    expect(sessions).to.have.length(2);
    for (const s of sessions) {
      expect(s).to.have.all.keys(
        'id',
        'created_at',
        'last_seen_at',
        'expires_at',
        'user_agent',
        'ip',
        'current',
      );
      expect(s.id).to.match(/^[0-9a-f]{32}$/);
      expect(s.ip).to.equal('127.0.0.1');
      expect(Date.parse(s.expires_at) - Date.parse(s.created_at)).to.equal(30 * DAY);
    }
    const current = sessions.filter((s) => s.current);
    expect(current).to.have.length(1);
    expect(current[0].user_agent).to.equal('phone-app/2.0');

    const hashes = await t.db('sessions').pluck('token_hash');
    const text = JSON.stringify(sessions);
    for (const hash of hashes) expect(text).not.to.include(hash);
    expect(text).not.to.include(phone);
  });

  it('updates last_seen_at on use, at most once a minute', async () => {
    const p = await t.loggedInPerson('seen');
    const created = (await list(p.token))[0].last_seen_at;
    clock.advance(30_000);
    expect((await list(p.token))[0].last_seen_at, 'within the minute').to.equal(created);
    clock.advance(30_000);
    const later = (await list(p.token))[0].last_seen_at;
    expect(Date.parse(later) - Date.parse(created)).to.equal(MINUTE);
  });

  it('leaves out revoked, idle and expired sessions', async () => {
    const p = await t.loggedInPerson('lapsed');
    const loggedOut = (await t.logIn(p.username, p.password)).body.token;
    await t.api('POST', '/api/logout', undefined, bearer(loggedOut));
    const idle = (await t.logIn(p.username, p.password)).body.token;
    const idleId = (await list(idle)).find((s) => s.current).id;
    // Keep p.token in use while `idle` sits for a week.
    for (let day = 0; day < 7; day++) {
      clock.advance(DAY);
      await me(p.token);
    }
    const ids = (await list(p.token)).map((s) => s.id);
    expect(ids).to.have.length(1);
    expect(ids).not.to.include(idleId);
    expectError(await me(idle), 401, 'unauthorized');
  });

  describe('with SESSION_TTL_DAYS=2 and SESSION_IDLE_DAYS=1', () => {
    const short = useServer({
      mail: true,
      env: { SESSION_TTL_DAYS: '2', SESSION_IDLE_DAYS: '1' },
      overrides: { clock },
    });

    it('keeps the absolute lifetime and idle timeout from the configuration', async () => {
      const p = await short.loggedInPerson('config');
      const get = () => short.as(p.token)('GET', '/api/sessions');
      const [s] = (await get()).body.sessions;
      expect(Date.parse(s.expires_at) - Date.parse(s.created_at)).to.equal(2 * DAY);
      clock.advance(DAY - MINUTE);
      expect((await get()).status).to.equal(200);
      clock.advance(DAY - MINUTE);
      expect((await get()).status, 'used daily, still before the end').to.equal(200);
      clock.advance(2 * MINUTE);
      expectError(await get(), 401, 'unauthorized');

      const q = await short.loggedInPerson('idleconf');
      clock.advance(DAY);
      expectError(await short.as(q.token)('GET', '/api/me'), 401, 'unauthorized');
    });
  });

  it('DELETE ends another of my sessions and disconnects its sockets only', async () => {
    const p = await t.loggedInPerson('revoker');
    const id = await userIdOf(t, p.username);
    const laptop = await loginWith(p.username, p.password, 'laptop/1.0');
    const target = (await list(laptop)).find((s) => s.current).id;
    const mine = await t.connectAs({ ...p, id });
    const theirs = await t.connectAs({ ...p, id, token: laptop });
    const gone = disconnected(theirs);

    const res = await t.as(p.token)('DELETE', `/api/sessions/${target}`);
    expect(res.status).to.equal(204);
    expect(res.body).to.equal(undefined);
    expect(await gone).to.equal('io server disconnect');
    expectError(await me(laptop), 401, 'unauthorized');
    expect((await me(p.token)).status).to.equal(200);
    await settle();
    expect((await ask(mine, 'message', 'my socket lives')).ok).to.equal(true);
    expect((await list(p.token)).map((s) => s.id)).not.to.include(target);
    expect(await auditTypes(t, id)).to.include('session_revoked');

    expectError(await t.as(p.token)('DELETE', `/api/sessions/${target}`), 404, 'not_found');
  });

  it('DELETE of the current session signs it out', async () => {
    const p = await t.loggedInPerson('selfend');
    const [s] = await list(p.token);
    expect((await t.as(p.token)('DELETE', `/api/sessions/${s.id}`)).status).to.equal(204);
    expectError(await me(p.token), 401, 'unauthorized');
  });

  it("DELETE of another user's session answers 404 and leaves it alone", async () => {
    const alice = await t.loggedInPerson('alice');
    const bob = await t.loggedInPerson('bob');
    const [bobs] = await list(bob.token);
    const bobId = await userIdOf(t, bob.username);
    const bobSocket = await t.connectAs({ ...bob, id: bobId });

    const res = await t.as(alice.token)('DELETE', `/api/sessions/${bobs.id}`);
    expectError(res, 404, 'not_found');
    const unknown = await t.as(alice.token)('DELETE', `/api/sessions/${'0'.repeat(32)}`);
    expect(unknown.body, 'the same answer as a session that does not exist').to.deep.equal(res.body);
    expectError(await t.as(alice.token)('DELETE', '/api/sessions/not%20an%20id'), 404, 'not_found');
    // U+0000 cannot even be sent to PostgreSQL: still "no such session", never a 500.
    expectError(await t.as(alice.token)('DELETE', `/api/sessions/%00${'0'.repeat(31)}`), 404, 'not_found');

    expect((await me(bob.token)).status).to.equal(200);
    await settle();
    expect(bobSocket.connected).to.equal(true);
  });

  it('revoke-others ends every other session and its sockets, and keeps this one', async () => {
    const p = await t.loggedInPerson('everywhere');
    const id = await userIdOf(t, p.username);
    const others = [
      await loginWith(p.username, p.password, 'a/1'),
      await loginWith(p.username, p.password, 'b/1'),
    ];
    const mine = await t.connectAs({ ...p, id });
    const sockets = await Promise.all(others.map((token) => t.connectAs({ ...p, id, token })));
    const gone = Promise.all(sockets.map((s) => disconnected(s)));

    const res = await t.as(p.token)('POST', '/api/sessions/revoke-others');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ revoked: 2 });
    expect(res.body.message).to.match(/2 other sessions were signed out/);
    expect(await gone).to.deep.equal(['io server disconnect', 'io server disconnect']);
    for (const token of others) expectError(await me(token), 401, 'unauthorized');
    const left = await list(p.token);
    expect(left).to.have.length(1);
    expect(left[0].current).to.equal(true);
    expect(mine.connected).to.equal(true);
    expect(await auditTypes(t, id)).to.include('other_sessions_revoked');

    const again = await t.as(p.token)('POST', '/api/sessions/revoke-others');
    expect(again.body.revoked).to.equal(0);
  });
});
