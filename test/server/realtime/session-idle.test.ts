import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { ask, disconnected, expectStoredInOrder, settle, type ChatPerson } from '../../helpers/sockets.js';
import { useServer } from '../../helpers/fixture.js';

const SECOND = 1000;

/**
 * SESSION_IDLE_DAYS on sockets: socket events count as use of the session (written at most once
 * a minute), live sockets are checked again, and an idle session's sockets are told and dropped -
 * as REST answers 401 for it. 0.001 days is 86.4 s of the injected clock; nothing sleeps.
 */
describe('Socket.IO chat: the session idle expiry', () => {
  const clock = manualClock(Date.UTC(2031, 0, 1));
  const t = useServer({
    env: { LIMIT_SIGNUPS_PER_10MIN: '1000', SESSION_IDLE_DAYS: '0.001' },
    overrides: { clock },
  });

  const me = (p: ChatPerson) => t.api('GET', '/api/me', undefined, { authorization: `Bearer ${p.token}` });
  const lastSeen = async (p: ChatPerson) =>
    Number(
      (await t.db('sessions').where({ user_id: p.id }).whereNull('revoked_at').first('last_seen_at'))
        .last_seen_at,
    );
  /** Counts the statements that record a session's use, from now on. */
  const countTouches = () => {
    const seen = { n: 0 };
    const watch = (q: { sql?: string }) => {
      if (/^update\s+\W?sessions\W?\s+set\s+\W?last_seen_at/i.test(q.sql ?? '')) seen.n++;
    };
    t.server.db.on('query', watch);
    return { seen, stop: () => t.server.db.off('query', watch) };
  };

  it('disconnects the sockets of a session that went idle, telling them why, as REST refuses it', async () => {
    const idle = await t.chatPerson('idle');
    const { socket, authErrors } = await t.connect({ token: idle.token, reconnection: true });
    const other = await t.chatPerson('idlekeep');
    clock.advance(60 * SECOND);
    // Someone else's session stays: used over REST within the window.
    expect((await me(other)).status).to.equal(200);
    const keeps = await t.connectAs(other);
    clock.advance(30 * SECOND);

    const gone = disconnected(socket);
    await t.server.realtime.checkSessions();
    expect(await gone).to.equal('io server disconnect');
    expect(authErrors.map((e) => e.code)).to.deep.equal(['unauthorized']);
    expect(authErrors[0]!.error).to.equal('your session expired; sign in again');
    expect((await me(idle)).status).to.equal(401);
    await settle();
    expect(socket.active, 'a server disconnect is not retried').to.equal(false);
    expect(keeps.connected).to.equal(true);
    expect((await ask(keeps, 'message', 'still here')).ok).to.equal(true);
  });

  it('keeps an active socket’s session alive, writing its use at most once a minute', async () => {
    const busy = await t.chatPerson('busy');
    const socket = await t.connectAs(busy);
    const signedInAt = await lastSeen(busy);
    const touches = countTouches();
    try {
      // Events within the minute: no write at all.
      for (let i = 0; i < 5; i++) {
        clock.advance(10 * SECOND);
        expect((await ask(socket, 'history', { room: 'lobby', limit: 1 })).ok).to.equal(true);
      }
      expect(await lastSeen(busy)).to.equal(signedInAt);
      expect(touches.seen.n).to.equal(0);
      // A minute on: the next event records the use, once, however many follow.
      clock.advance(20 * SECOND);
      const usedAt = clock.now();
      for (let i = 0; i < 3; i++) expect((await ask(socket, 'message', `busy ${i}`)).ok).to.equal(true);
      expect(await lastSeen(busy)).to.equal(usedAt);
      expect(touches.seen.n).to.equal(1);
    } finally {
      touches.stop();
    }
    // 70 s after that use, 140 s after sign-in: past 86.4 s since sign-in, not since the use.
    clock.advance(70 * SECOND);
    await t.server.realtime.checkSessions();
    await settle();
    expect(socket.connected).to.equal(true);
    expect((await me(busy)).status).to.equal(200);
  });

  it("stores a burst in the order it came when its first message waits for the session's check", async () => {
    const burst = await t.chatPerson('burst');
    const socket = await t.connectAs(burst);
    // A minute on, the first event asks about the session; the ones right behind it do not.
    clock.advance(61 * SECOND);
    const acks = await Promise.all([1, 2, 3, 4].map((i) => ask(socket, 'message', `in turn ${i}`)));
    expectStoredInOrder(acks);
  });

  it('refuses the first event of a socket whose session went idle before any check ran', async () => {
    const late = await t.chatPerson('late');
    const { socket, authErrors } = await t.connect({ token: late.token });
    clock.advance(90 * SECOND);
    const gone = disconnected(socket);
    const ack = await ask(socket, 'message', 'after the window').catch(() => 'no answer');
    // Answered or cut off first: either way nothing is stored and the socket is gone.
    if (ack !== 'no answer') expect(ack).to.include({ ok: false, code: 'unauthorized' });
    expect(await gone).to.equal('io server disconnect');
    expect(authErrors.map((e) => e.code)).to.include('unauthorized');
    const stored = await t.db('messages').where({ text: 'after the window' }).count({ n: '*' });
    expect(Number(stored[0]!.n)).to.equal(0);
    // Use after the window did not bring the session back.
    expect((await me(late)).status).to.equal(401);
  });
});
