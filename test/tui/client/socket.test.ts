import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Server } from 'socket.io';
import { ChatClient, ChatError, type ConnectionState } from '../../../tui/client/socket.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { freePort } from '../../helpers/ports.js';
import { eventually } from '../../helpers/wait.js';
import { chatPerson, logOut, type ChatPerson } from '../../server/realtime/helpers.js';

describe('tui/client/socket: the typed chat client', () => {
  let t: TestServer;
  let alice: ChatPerson;
  let bob: ChatPerson;
  const clients: ChatClient[] = [];
  const client = (options: Partial<ConstructorParameters<typeof ChatClient>[0]> = {}) => {
    const c = new ChatClient({ server: t.url, timeoutMs: 3000, reconnection: false, ...options });
    clients.push(c);
    return c;
  };

  before(async () => {
    t = await startTestServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '1000' } });
    alice = await chatPerson(t, 'wrap');
    bob = await chatPerson(t, 'wrapb');
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(() => t.close());

  it('connects with a token, sends with an acknowledgement, and hears the room', async () => {
    const a = client({ token: alice.token });
    const b = client({ token: bob.token });
    const hello = await a.connect();
    expect(hello.user).to.deep.equal({ id: alice.id, username: alice.username });
    expect(a.user?.username).to.equal(alice.username);
    expect(a.state).to.deep.equal({ status: 'online', user: hello.user, recovered: false });
    await b.connect();

    const heard = new Promise<any>((resolve) => {
      const stop = b.on('message', (m) => {
        if (m.text !== 'via the wrapper') return;
        stop();
        resolve(m);
      });
    });
    const id = await a.send('via the wrapper');
    expect(id).to.be.a('number');
    expect(await heard).to.include({ id, room: 'lobby', text: 'via the wrapper' });
  });

  it('joins, leaves and pages history through promises', async () => {
    const a = client({ token: alice.token });
    await a.connect();
    await a.join('wrapped');
    for (const text of ['one', 'two', 'three']) await a.send(text, 'wrapped');
    const last2 = await a.history({ room: 'wrapped', limit: 2 });
    expect(last2.map((m) => m.text)).to.deep.equal(['two', 'three']);
    const older = await a.history({ room: 'wrapped', before: last2[0]!.id });
    expect(older.map((m) => m.text)).to.deep.equal(['one']);
    await a.leave('wrapped');
    const refused = await a.send('gone', 'wrapped').catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(ChatError).and.include({ code: 'not_in_room' });
  });

  it("turns the server's refusals into ChatErrors with the contract's code and field", async () => {
    const a = client({ token: alice.token });
    await a.connect();
    const err = (await a.send('x'.repeat(2001)).catch((e: unknown) => e)) as ChatError;
    expect(err).to.be.instanceOf(ChatError);
    expect(err.code).to.equal('message_too_long');
    expect(err.field).to.equal('text');
    expect(err.toJSON()).to.deep.equal({ error: err.message, code: 'message_too_long', field: 'text' });
    const badRoom = (await a.join('Not Valid').catch((e: unknown) => e)) as ChatError;
    expect(badRoom.code).to.equal('invalid_field');
  });

  it('signs a guest in with a password, and reconnects with the token it was given', async () => {
    const guest = client();
    expect((await guest.connect()).user).to.equal(null);
    const refused = (await guest.send('hi').catch((e: unknown) => e)) as ChatError;
    expect(refused.code).to.equal('unauthorized');
    const wrong = (await guest
      .authenticate({ username: alice.username, password: 'not the password' })
      .catch((e: unknown) => e)) as ChatError;
    expect(wrong.code).to.equal('invalid_credentials');

    const ok = await guest.authenticate({ username: alice.username, password: alice.password });
    expect(ok.user.id).to.equal(alice.id);
    expect(guest.user?.id).to.equal(alice.id);
    expect(guest.socket.auth).to.deep.equal({ token: ok.token });
    expect(await guest.send('now signed in')).to.be.a('number');
  });

  it('reports a refused connection, an unreachable server and a closed client as ChatErrors', async () => {
    const port = await freePort();
    const nowhere = client({ server: `http://127.0.0.1:${port}` });
    expect(((await nowhere.connect().catch((e: unknown) => e)) as ChatError).code).to.equal('unreachable');
    // With reconnection on, it keeps trying until the timeout, then names the last failure.
    const retrying = client({ server: `http://127.0.0.1:${port}`, reconnection: true, timeoutMs: 500 });
    expect(((await retrying.connect().catch((e: unknown) => e)) as ChatError).code).to.equal('unreachable');

    const a = client({ token: alice.token });
    await a.connect();
    a.close();
    expect(a.state.status).to.equal('offline');
    expect(((await a.send('after close').catch((e: unknown) => e)) as ChatError).code).to.equal('closed');
  });

  it('gives up on an acknowledgement that never comes with a timeout ChatError', async () => {
    // A server that greets and then ignores everything.
    const mute = new Server();
    const http = createServer();
    mute.attach(http);
    mute.on('connection', (s) =>
      s.emit('connected', { message: 'hi', sid: s.id, user: null, recovered: false }),
    );
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const port = (http.address() as AddressInfo).port;
      const c = client({ server: `http://127.0.0.1:${port}`, timeoutMs: 300 });
      await c.connect();
      const err = (await c.send('anyone?').catch((e: unknown) => e)) as ChatError;
      expect(err.code).to.equal('timeout');
    } finally {
      await mute.close();
    }
  });

  it('goes offline with the reason when the session is logged out elsewhere', async () => {
    const p = await chatPerson(t, 'wrapout');
    const a = client({ token: p.token, reconnection: true });
    const states: ConnectionState[] = [];
    a.onState((s) => states.push(s));
    await a.connect();
    await logOut(t, p.token);
    const last = await eventually(() => states.find((s) => s.status === 'offline'), { what: 'offline' });
    expect(last).to.deep.equal({ status: 'offline', reason: 'your session ended; sign in again' });
  });

  it('keeps a server path prefix in front of /socket.io', async () => {
    const a = client({ server: `${t.url}/mux1`, token: alice.token });
    const err = (await a.connect().catch((e: unknown) => e)) as ChatError;
    // No proxy strips the prefix here, so the server has no Socket.IO at /mux1/socket.io.
    expect(err).to.be.instanceOf(ChatError).and.include({ code: 'unreachable' });
    expect(a.socket.io.opts.path).to.equal('/mux1/socket.io');
  });

  it('rejoins its rooms after a restart the server could not recover, and says it was not recovered', async function () {
    this.timeout(15_000);
    const dir = mkdtempSync(join(tmpdir(), 'mux1-wrapper-'));
    const port = String(await freePort());
    let own = await startTestServer({ dir, env: { PORT: port } });
    try {
      const carol = await chatPerson(own, 'rejoin');
      const c = new ChatClient({ server: own.url, token: carol.token, timeoutMs: 3000 });
      clients.push(c);
      const states: ConnectionState[] = [];
      c.onState((s) => states.push(s));
      await c.connect();
      await c.join('kept');
      await own.close();
      await eventually(() => states.some((s) => s.status === 'reconnecting'), { what: 'reconnecting' });
      own = await startTestServer({ dir, env: { PORT: port } });
      await eventually(() => states.at(-1)?.status === 'online', { what: 'back online', timeoutMs: 10_000 });
      expect(states.at(-1)).to.include({ recovered: false });
      await eventually(
        async () => (await c.send('back in kept', 'kept').catch(() => undefined)) !== undefined,
        { what: 'rejoined kept' },
      );
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
