import { expect } from 'chai';
import { newPerson } from '../../helpers/accounts.js';
import { ask, nextEvent, settle, type ChatPerson } from '../../helpers/sockets.js';
import { eventually } from '../../helpers/wait.js';
import { solvedChallenge } from '../../helpers/challenge.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';

describe('Socket.IO chat: handshake and authenticate', () => {
  let alice: ChatPerson;
  const t = useServer({ env: MANY_SIGNUPS });

  before(async () => {
    alice = await t.chatPerson('auth');
  });

  describe('handshake auth.token', () => {
    it('makes a socket with a valid token signed in and puts it in the lobby', async () => {
      const socket = await t.connectAs(alice);
      expect((await ask(socket, 'message', 'from the handshake')).ok).to.equal(true);
    });

    it('makes a socket without a token a guest, without an auth_error', async () => {
      const { hello, authErrors } = await t.connect();
      expect(hello.user).to.equal(null);
      await settle();
      expect(authErrors).to.deep.equal([]);
    });

    it('makes a socket with a revoked token a guest, and says so with auth_error', async () => {
      const p = await t.chatPerson('revoked');
      expect((await t.logOut(p.token)).status).to.equal(204);
      const { hello, authErrors } = await t.connect({ token: p.token });
      expect(hello.user).to.equal(null);
      const error = await eventually(() => authErrors[0], { what: 'auth_error' });
      expect(error.code).to.equal('unauthorized');
      expect(error.error).to.match(/guest/);
    });

    it('makes a socket with an expired token a guest, with auth_error', async () => {
      const p = await t.chatPerson('expired');
      await t.server
        .db('sessions')
        .where({ user_id: p.id })
        .update({ expires_at: Date.now() - 1 });
      const { hello, authErrors } = await t.connect({ token: p.token });
      expect(hello.user).to.equal(null);
      expect((await eventually(() => authErrors[0], { what: 'auth_error' })).code).to.equal('unauthorized');
    });

    it('treats a malformed token as a revoked one', async () => {
      for (const token of ['not-a-token', 'x'.repeat(600), 12345, { nested: true }]) {
        const { hello, authErrors } = await t.connect({ auth: { token } });
        expect(hello.user).to.equal(null);
        const error = await eventually(() => authErrors[0], { what: 'auth_error' });
        expect(error.code, JSON.stringify(token)).to.equal('unauthorized');
      }
    });
  });

  describe('authenticate event', () => {
    it('signs a guest in with a username and password, like REST login', async () => {
      const { socket } = await t.connect();
      const success = nextEvent(socket, 'auth_success');
      const ack = await ask(socket, 'authenticate', { username: alice.username, password: alice.password });
      expect(ack.ok).to.equal(true);
      const event = await success;
      expect(event.user).to.deep.equal({ id: alice.id, username: alice.username });
      expect(event.message).to.be.a('string');
      // A password login opens a session: its token works for REST and for the next connection.
      expect(event.token).to.match(/^[A-Za-z0-9_-]{43,}$/);
      expect(Date.parse(event.expires_at!)).to.be.above(Date.now());
      const again = await t.connect({ token: event.token });
      expect(again.hello.user?.id).to.equal(alice.id);
      // And the socket can chat now, from the lobby.
      expect((await ask(socket, 'message', 'signed in late')).ok).to.equal(true);
    });

    it('accepts the email address in place of the username', async () => {
      const { socket } = await t.connect();
      const ack = await ask(socket, 'authenticate', { username: alice.email, password: alice.password });
      expect(ack.ok).to.equal(true);
      expect(ack.user.username).to.equal(alice.username);
    });

    it('signs a guest in with a token', async () => {
      const { socket } = await t.connect();
      const success = nextEvent(socket, 'auth_success');
      const ack = await ask(socket, 'authenticate', { token: alice.token });
      expect(ack).to.deep.include({ ok: true, user: { id: alice.id, username: alice.username } });
      expect(ack.token).to.equal(undefined);
      expect((await success).user.id).to.equal(alice.id);
      expect((await ask(socket, 'message', 'token late')).ok).to.equal(true);
    });

    it('answers a wrong password or an unknown user with auth_error invalid_credentials', async () => {
      const { socket } = await t.connect();
      for (const credentials of [
        { username: alice.username, password: 'wrong password here' },
        { username: 'nobody-by-that-name', password: 'whatever it is' },
      ]) {
        const error = nextEvent(socket, 'auth_error');
        const ack = await ask(socket, 'authenticate', credentials);
        expect(ack).to.include({ ok: false, code: 'invalid_credentials' });
        expect(await error).to.include({ code: 'invalid_credentials' });
      }
      expect((await ask(socket, 'message', 'still a guest')).code).to.equal('unauthorized');
    });

    it('answers a wrong token with auth_error unauthorized', async () => {
      const { socket } = await t.connect();
      const error = nextEvent(socket, 'auth_error');
      expect(await ask(socket, 'authenticate', { token: 'no-such-token' })).to.include({
        ok: false,
        code: 'unauthorized',
      });
      expect((await error).code).to.equal('unauthorized');
    });

    it('refuses malformed authenticate payloads with auth_error invalid_field', async () => {
      const { socket } = await t.connect();
      for (const payload of [undefined, 'alice', { username: 'alice' }, { password: 'x' }, { token: 5 }]) {
        const error = nextEvent(socket, 'auth_error');
        const ack = await ask(socket, 'authenticate', payload);
        expect(ack, JSON.stringify(payload)).to.include({ ok: false, code: 'invalid_field' });
        expect((await error).code).to.equal('invalid_field');
      }
    });

    it('answers an unverified account like a wrong password, even with the right one', async () => {
      const p = newPerson('unverified');
      expect((await t.signUp(p)).status).to.equal(201);
      const { socket } = await t.connect();
      const ack = await ask(socket, 'authenticate', { username: p.username, password: p.password });
      expect(ack).to.include({ ok: false, code: 'invalid_credentials' });
    });

    it('shares the lockout with REST login: failures over the socket lock the account for both', async () => {
      const p = await t.chatPerson('locked');
      const { socket } = await t.connect();
      for (let i = 0; i < 5; i++) {
        // Past 3 failures (of this account or this address) the server asks for proof of work:
        // a solved challenge is sent along with each try.
        const ack = await ask(socket, 'authenticate', {
          username: p.username,
          password: `wrong-${i}-password`,
          altcha: await solvedChallenge(t.url),
        });
        expect(ack.code).to.equal('invalid_credentials');
      }
      // The socket's own budget for attempts is spent too; a new socket is refused by the lockout.
      const { socket: other } = await t.connect();
      const ack = await ask(other, 'authenticate', { username: p.username, password: p.password });
      expect(ack).to.include({ ok: false, code: 'too_many_attempts' });
      expect((await t.logIn(p.username, p.password)).status).to.equal(429);
    });

    it('limits authenticate attempts per socket', async () => {
      const { socket } = await t.connect();
      const codes: string[] = [];
      for (let i = 0; i < 6; i++) {
        codes.push((await ask(socket, 'authenticate', { token: `bad-token-${i}` })).code);
      }
      expect(codes.slice(0, 5)).to.deep.equal(Array(5).fill('unauthorized'));
      expect(codes[5]).to.equal('rate_limited');
    });

    it('moves a signed-in socket to the new user when it authenticates as someone else', async () => {
      const bob = await t.chatPerson('switch');
      const socket = await t.connectAs(alice);
      const ack = await ask(socket, 'authenticate', { token: bob.token });
      expect(ack.user.id).to.equal(bob.id);
      const seen = nextEvent(socket, 'message', (m) => m.text === 'now as bob');
      expect((await ask(socket, 'message', 'now as bob')).ok).to.equal(true);
      expect((await seen).user?.username).to.equal(bob.username);
      // Alice's logout no longer reaches this socket.
      expect((await t.logOut(alice.token)).status).to.equal(204);
      expect((await ask(socket, 'message', 'still here')).ok).to.equal(true);
    });
  });
});
