import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { auditTypes, reset, resetCode } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';
import { disconnected } from '../../helpers/sockets.js';
import { makeToken } from '../../helpers/tokens.js';

const SECOND = 1000;
const DAY = 86_400_000;

/**
 * A token ends, at once and on both doors, when it is revoked, when it expires, when its owner's
 * password is reset, and when the account is deleted: REST answers 401, its live sockets are
 * told and disconnected, and a new connection with it is a guest.
 */
describe('personal access tokens: the end of a token', () => {
  const clock = manualClock(Date.UTC(2032, 0, 1));
  const t = useServer({ mail: true, overrides: { clock } });

  async function liveToken(prefix: string, extra: { expires_in_days?: number | null } = {}) {
    const p = await t.chatPerson(prefix);
    const { token, id } = await makeToken(t, p.token, ['profile:read', 'chat:read', 'chat:write'], extra);
    expect((await t.as(token)('GET', '/api/me')).status).to.equal(200);
    const { socket } = await t.connect({ token });
    return { p, token, id, socket, gone: disconnected(socket) };
  }

  async function expectEnded(token: string) {
    expectError(await t.as(token)('GET', '/api/me'), 401, 'unauthorized');
    const again = await t.connect({ token });
    expect(again.hello.user, 'a new connection is a guest').to.equal(null);
    expect(again.authErrors.map((e) => e.code)).to.deep.equal(['unauthorized']);
  }

  // First, before the clock is moved days ahead of the mail's own timestamps.
  it('password reset: every token of the user ends, sockets too', async () => {
    const { p, token, gone } = await liveToken('reset');
    // The signup's verification mail first, so it cannot pass for the reset code.
    await t.mail.codeFor(p.email);
    const code = await resetCode(t, t.mail, p.email);
    const res = await reset(t, { email: p.email, code, password: 'a brand new passphrase' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(await gone).to.equal('io server disconnect');
    await expectEnded(token);
  });

  it('revoked: 401 and its sockets disconnected', async () => {
    const { p, token, id, gone } = await liveToken('revoked');
    expect((await t.as(p.token)('DELETE', `/api/tokens/${id}`)).status).to.equal(204);
    expect(await gone).to.equal('io server disconnect');
    await expectEnded(token);
    expect((await t.as(p.token)('GET', '/api/me')).status, 'the session stays').to.equal(200);
  });

  it('expired: 401, and its sockets dropped by the next check', async () => {
    const { token, gone } = await liveToken('expired', { expires_in_days: 1 });
    clock.advance(DAY - SECOND);
    expect((await t.as(token)('GET', '/api/me')).status, 'a second before').to.equal(200);
    clock.advance(2 * SECOND);
    await t.server.realtime.checkSessions();
    expect(await gone).to.equal('io server disconnect');
    await expectEnded(token);
  });

  it('a token without expiry outlives the session idle limit', async () => {
    const { token } = await liveToken('forever', { expires_in_days: null });
    clock.advance(400 * DAY);
    expect((await t.as(token)('GET', '/api/me')).status).to.equal(200);
  });

  it('account deleted: its tokens end and their rows go', async () => {
    const { p, token, gone } = await liveToken('deleted');
    expect((await t.as(p.token)('DELETE', '/api/account', { password: p.password })).status).to.equal(204);
    expect(await gone).to.equal('io server disconnect');
    await expectEnded(token);
    expect(await t.db('access_tokens').where({ user_id: p.id })).to.deep.equal([]);
  });

  it('last use is written at most once a minute, with the address; the first use is audited once', async () => {
    const p = await t.chatPerson('usage');
    const { token, id } = await makeToken(t, p.token, ['profile:read']);
    const row = () => t.db('access_tokens').where({ id }).first();
    expect((await row()).last_used_at).to.equal(null);

    let writes = 0;
    const count = (q: { sql: string }) => {
      if (/^update\b.*access_tokens/i.test(q.sql)) writes++;
    };
    t.db.on('query', count);
    try {
      for (let i = 0; i < 5; i++) {
        expect((await t.as(token)('GET', '/api/me')).status).to.equal(200);
        clock.advance(5 * SECOND);
      }
      expect(writes, 'five uses in 25 s').to.equal(1);
      clock.advance(60 * SECOND);
      expect((await t.as(token)('GET', '/api/me')).status).to.equal(200);
      expect(writes, 'a minute later').to.equal(2);
    } finally {
      t.db.off('query', count);
    }
    const stored = await row();
    expect(Number(stored.last_used_at)).to.equal(clock.now());
    expect(stored.last_used_ip).to.match(/^(127\.0\.0\.1|::1)$/);
    expect((await auditTypes(t, p.id)).filter((type) => type === 'token_first_used')).to.have.length(1);
  });
});
