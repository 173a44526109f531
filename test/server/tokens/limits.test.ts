import { expect } from 'chai';
import { useServer } from '../../helpers/fixture.js';
import { ask } from '../../helpers/sockets.js';
import { makeToken } from '../../helpers/tokens.js';

/**
 * A token is no way around the chat limits: every socket signed in with a token of a user spends
 * one budget, the user's (5 messages a second with bursts of 10), however many sockets or tokens
 * the script opens. A session's sockets keep their own per-socket budget, as before.
 */
describe('personal access tokens: the chat budget', () => {
  const t = useServer();

  const burst = async (sockets: Awaited<ReturnType<typeof t.connect>>['socket'][], each: number) => {
    const acks = await Promise.all(
      sockets.flatMap((socket, s) =>
        Array.from({ length: each }, (_, i) =>
          ask(socket, 'message', { room: 'lobby', text: `s${s} m${i}` }),
        ),
      ),
    );
    return {
      sent: acks.filter((a) => a.ok).length,
      limited: acks.filter((a) => a.code === 'rate_limited').length,
    };
  };

  it("shares one budget across a user's token sockets and tokens", async () => {
    const p = await t.chatPerson('budget');
    const a = await makeToken(t, p.token, ['chat:read', 'chat:write']);
    const b = await makeToken(t, p.token, ['chat:read', 'chat:write']);
    const sockets = [];
    for (const token of [a.token, a.token, b.token, b.token])
      sockets.push((await t.connect({ token })).socket);
    const { sent, limited } = await burst(sockets, 6);
    // 24 asked at once; a single socket's budget lets at most 10 through.
    expect(sent, `sent ${sent}`).to.be.at.most(10);
    expect(limited).to.equal(24 - sent);
  });

  it('leaves a session its per-socket budget', async () => {
    const p = await t.chatPerson('persocket');
    const sockets = [await t.connectAs(p), await t.connectAs(p)];
    const { sent } = await burst(sockets, 6);
    expect(sent, 'two sockets, six each, within each burst').to.equal(12);
  });

  it('signs a guest socket in with a token through authenticate, within its scopes', async () => {
    const p = await t.chatPerson('authev');
    const { token } = await makeToken(t, p.token, ['chat:read']);
    const { socket } = await t.connect();
    const ack = await ask(socket, 'authenticate', { token });
    expect(ack).to.deep.include({ ok: true });
    expect(ack.user.username).to.equal(p.username);
    expect(ack.token, 'no new session for a token').to.equal(undefined);
    expect((await ask(socket, 'history', { room: 'lobby' })).ok).to.equal(true);
    expect(await ask(socket, 'message', 'hi')).to.include({ ok: false, code: 'insufficient_scope' });
  });
});
