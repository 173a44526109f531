import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Server } from 'socket.io';
import { ChatClient, ChatError, type ConnectionState } from '../../../tui/client/socket.js';
import { connectSocketChat } from '../../../tui/app/socket-chat.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { freePort } from '../../helpers/ports.js';
import { eventually } from '../../helpers/wait.js';
import { chatPerson, type ChatPerson } from '../../helpers/sockets.js';
import { useServer } from '../../helpers/fixture.js';

describe('tui/client/socket: the typed chat client', () => {
  let alice: ChatPerson;
  let bob: ChatPerson;
  const clients: ChatClient[] = [];
  const client = (options: Partial<ConstructorParameters<typeof ChatClient>[0]> = {}) => {
    const c = new ChatClient({ server: t.url, timeoutMs: 3000, reconnection: false, ...options });
    clients.push(c);
    return c;
  };

  const t = useServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '1000' } });

  before(async () => {
    alice = await t.chatPerson('wrap');
    bob = await t.chatPerson('wrapb');
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  it('connects with a token, sends with an acknowledgement, and hears the room', async () => {
    const a = client({ token: alice.token });
    const b = client({ token: bob.token });
    const hello = await a.connect();
    expect(hello.user).to.deep.equal({ id: alice.id, username: alice.username });
    expect(a.user?.username).to.equal(alice.username);
    expect(a.state).to.deep.equal({ status: 'online', user: hello.user });
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
    mute.on('connection', (s) => s.emit('connected', { message: 'hi', sid: s.id, user: null }));
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
    const p = await t.chatPerson('wrapout');
    const a = client({ token: p.token, reconnection: true });
    const states: ConnectionState[] = [];
    a.onState((s) => states.push(s));
    await a.connect();
    await t.logOut(p.token);
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

  /** Cuts this user's connections from the server side, as a network drop would: the client retries. */
  const dropConnections = (server: TestServer, userId: number) => {
    for (const socket of server.server.realtime.io.of('/').sockets.values()) {
      if (socket.data.identity?.user.id === userId) socket.conn.close();
    }
  };

  it('after a drop, rejoins its rooms and hands on what it missed once, in order, before live messages', async function () {
    this.timeout(15_000);
    const dan = await t.chatPerson('catch');
    const c = client({ token: dan.token, reconnection: true });
    const heard: string[] = [];
    c.on('message', (m) => heard.push(`${m.room}:${m.text}`));
    const states: ConnectionState[] = [];
    c.onState((st) => states.push(st));
    await c.connect();
    await c.join('kept');
    // Where catching up starts in a room it has heard nothing in yet: its latest page, as the TUI reads.
    await c.history({ room: 'lobby' });
    const b = client({ token: bob.token });
    await b.connect();
    await b.join('kept');
    await b.send('before', 'kept');
    await eventually(() => heard.includes('kept:before'), { what: 'the live message' });

    dropConnections(t, dan.id);
    await eventually(() => states.at(-1)?.status === 'reconnecting', { what: 'reconnecting' });
    // More than a page would need several `after` pages; three show the order and the room split.
    for (const text of ['missed 1', 'missed 2', 'missed 3']) await b.send(text, 'kept');
    await b.send('missed in the lobby');
    await eventually(() => heard.includes('kept:missed 3') && heard.includes('lobby:missed in the lobby'), {
      what: 'the missed messages',
      timeoutMs: 10_000,
    });
    await b.send('live again', 'kept');
    await eventually(() => heard.includes('kept:live again'), { what: 'a live message after catching up' });
    expect(heard.filter((h) => h.startsWith('kept:'))).to.deep.equal([
      'kept:before',
      'kept:missed 1',
      'kept:missed 2',
      'kept:missed 3',
      'kept:live again',
    ]);
    expect(heard.filter((h) => h === 'lobby:missed in the lobby')).to.have.length(1);
    // Back in the room it was in, so it can speak there again.
    expect(await c.send('and I am back', 'kept')).to.be.a('number');
  });

  it('catches up page by page when it missed more than one page', async function () {
    this.timeout(15_000);
    const gil = await t.chatPerson('pages');
    const c = client({ token: gil.token, reconnection: true });
    const heard: string[] = [];
    c.on('message', (m) => heard.push(m.text));
    const states: ConnectionState[] = [];
    c.onState((st) => states.push(st));
    await c.connect();
    await c.join('many');
    await c.send('start', 'many');
    await eventually(() => heard.includes('start'), { what: 'its own message' });
    // Two and a quarter pages of history, written straight to the database, so never broadcast:
    // the client has them only by catching up. Written before the drop, not while it is away,
    // where the reconnection (in 0.5-1.5 s) could read the room before the rows are in.
    const missed = Array.from({ length: 450 }, (_, i) => `page text ${i + 1}`);
    await t.server
      .db('messages')
      .insert(missed.map((text) => ({ room: 'many', user_id: bob.id, text, created_at: Date.now() })));
    dropConnections(t, gil.id);
    await eventually(() => states.at(-1)?.status === 'reconnecting', { what: 'reconnecting' });
    await eventually(() => heard.includes('page text 450'), {
      what: 'the last missed message',
      timeoutMs: 10_000,
    });
    expect(heard).to.deep.equal(['start', ...missed]);
  });

  it('sends a message again after a lost acknowledgement, and the server stores it once', async () => {
    const erin = await t.chatPerson('lostack');
    // The first acknowledgement of this user's message is lost: the server stores the message,
    // then the connection drops before the answer leaves.
    let dropped = 0;
    const io = t.server.realtime.io;
    const hook = (socket: typeof io.sockets.sockets extends Map<string, infer S> ? S : never) => {
      socket.use((packet, next) => {
        const [event, , ack] = packet;
        if (
          event === 'message' &&
          socket.data.identity?.user.id === erin.id &&
          typeof ack === 'function' &&
          dropped === 0
        ) {
          packet[2] = () => {
            dropped++;
            socket.conn.close();
          };
        }
        next();
      });
    };
    io.on('connection', hook);
    try {
      const c = client({ token: erin.token, reconnection: true });
      await c.connect();
      const id = await c.send('exactly once');
      expect(dropped).to.equal(1);
      const rows = await t.db('messages').where({ text: 'exactly once' }).select('id');
      expect(rows.map((r: { id: number }) => Number(r.id))).to.deep.equal([id]);
    } finally {
      io.off('connection', hook);
    }
  });

  it('gives the TUI the messages it missed while away, through its chat connection', async function () {
    this.timeout(15_000);
    const fay = await t.chatPerson('tuicatch');
    const chat = connectSocketChat(t.url, fay.token);
    try {
      const heard: string[] = [];
      const states: string[] = [];
      chat.on('message', (m) => heard.push(m.text));
      chat.on('state', (st) => states.push(st));
      await eventually(() => states.includes('connected'), { what: 'connected' });
      // What the chat pane does: the latest page of the lobby, and of a room it joins (empty here).
      await chat.history('lobby', undefined, 50);
      await chat.join('tuiroom');
      expect(await chat.history('tuiroom', undefined, 50)).to.deep.equal([]);
      const b = client({ token: bob.token });
      await b.connect();
      await b.join('tuiroom');
      dropConnections(t, fay.id);
      await eventually(() => states.at(-1) === 'reconnecting', { what: 'reconnecting' });
      await b.send('while the TUI was away', 'tuiroom');
      await eventually(() => heard.includes('while the TUI was away'), {
        what: 'caught up',
        timeoutMs: 10_000,
      });
      await b.send('and live', 'tuiroom');
      await eventually(() => heard.includes('and live'), { what: 'live' });
      expect(heard.filter((h) => h === 'while the TUI was away')).to.have.length(1);
    } finally {
      chat.close();
    }
  });

  it('rejoins its rooms and catches up after the server restarts', async function () {
    this.timeout(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'mux1-wrapper-'));
    const port = String(await freePort());
    let own = await startTestServer({ dir, env: { PORT: port } });
    try {
      const carol = await chatPerson(own, 'rejoin');
      const dave = await chatPerson(own, 'rejoind');
      const c = new ChatClient({ server: own.url, token: carol.token, timeoutMs: 3000 });
      clients.push(c);
      const states: ConnectionState[] = [];
      c.onState((s) => states.push(s));
      const heard: string[] = [];
      c.on('message', (m) => heard.push(m.text));
      await c.connect();
      await c.join('kept');
      await c.send('before the restart', 'kept');
      await own.close();
      await eventually(() => states.some((s) => s.status === 'reconnecting'), { what: 'reconnecting' });
      own = await startTestServer({ dir, env: { PORT: port } });
      // Said on the new server before this client is back.
      const d = new ChatClient({ server: own.url, token: dave.token, timeoutMs: 3000, reconnection: false });
      clients.push(d);
      await d.connect();
      await d.join('kept');
      await d.send('while you were restarting', 'kept');
      await eventually(() => states.at(-1)?.status === 'online', { what: 'back online', timeoutMs: 10_000 });
      expect(await c.send('back in kept', 'kept')).to.be.a('number');
      await eventually(() => heard.includes('back in kept'), { what: 'its own message' });
      expect(heard).to.deep.equal(['before the restart', 'while you were restarting', 'back in kept']);
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
