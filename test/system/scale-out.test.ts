import { expect } from 'chai';
import pg from 'pg';
import { bearer, logIn, newPerson, signUp, verifiedPerson } from '../helpers/accounts.js';
import { api } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';
import {
  ask,
  connectAs,
  disconnectAll,
  disconnected,
  nextEvent,
  record,
  settle,
  type ChatPerson,
  type ClientSocket,
} from '../helpers/sockets.js';
import {
  haveRedisServer,
  startOwnRedis,
  startScaleOut,
  type OwnRedis,
  type ScaleOut,
} from '../helpers/scale-out.js';

/** A verified account with a session token, signed up through `url`. */
async function chatter(cluster: ScaleOut, url: string, prefix: string): Promise<ChatPerson> {
  const p = await verifiedPerson(url, cluster.smtp, prefix);
  const res = await logIn(url, p.username, p.password);
  expect(res.status, 'login').to.equal(200);
  return { ...p, id: res.body.user.id, token: res.body.token };
}

const names = (users: { username: string }[]) => users.map((u) => u.username);
const connectedUsers = async (url: string): Promise<number> =>
  (await api(url, 'GET', '/api/server-status')).body.connected_users;

/** Sends through `from` until `to` hears it: for the moments the processes are still finding each other. */
async function deliverAcross(from: ClientSocket, to: ClientSocket, label: string, timeoutMs = 10_000) {
  let n = 0;
  await eventually(
    async () => {
      const text = `${label} ${++n}`;
      const heard = nextEvent(to, 'message', (m) => m.text === text, 400).then(
        () => true,
        () => false,
      );
      const ack = await ask(from, 'message', { room: 'lobby', text });
      expect(ack.ok, JSON.stringify(ack)).to.equal(true);
      return heard;
    },
    { timeoutMs, what: `a message from one process reaching the other (${label})` },
  );
}

describe('system: two server processes on one PostgreSQL database and one Redis', () => {
  let cluster: ScaleOut;

  before(async () => {
    cluster = await startScaleOut();
  });
  afterEach(() => disconnectAll());
  after(async () => {
    await cluster?.stop();
  });

  it('signs up on A, verifies and logs in on B, and the token works on A', async () => {
    const { a, b, smtp } = cluster;
    const p = newPerson('across');
    expect((await signUp(a.url, p)).status).to.equal(201);
    const code = await smtp.codeFor(p.email);
    expect((await api(b.url, 'POST', '/api/verify-email', { email: p.email, code })).status).to.equal(200);
    const login = await logIn(b.url, p.username, p.password);
    expect(login.status, JSON.stringify(login.body)).to.equal(200);
    const me = await api(a.url, 'GET', '/api/me', undefined, bearer(login.body.token));
    expect(me.status).to.equal(200);
    expect(me.body.user.username).to.equal(p.username);
  });

  it('delivers a message sent through A to a client on B; presence and connected users span both', async () => {
    const { a, b } = cluster;
    const alice = await chatter(cluster, a.url, 'alice');
    const bob = await chatter(cluster, b.url, 'bob');
    const onA = await connectAs(a.url, alice);
    const aliceSeesBob = nextEvent(
      onA,
      'presence',
      (p) => p.room === 'lobby' && names(p.users).includes(bob.username),
    );
    const onB = await connectAs(b.url, bob);
    // B announces bob's arrival with the whole room, alice (on A) included, to both processes.
    expect(names((await aliceSeesBob).users)).to.include.members([alice.username, bob.username]);

    const text = 'hello from process A';
    const heard = nextEvent(onB, 'message', (m) => m.text === text);
    const ack = await ask(onA, 'message', { room: 'lobby', text });
    expect(ack).to.include({ ok: true });
    const message = await heard;
    expect(message.user).to.deep.equal({ id: alice.id, username: alice.username });
    expect(message.id).to.equal(ack.id);

    // Each process counts the users of both.
    await eventually(async () => (await connectedUsers(a.url)) === 2 && (await connectedUsers(b.url)) === 2, {
      what: 'connected_users 2 on both processes',
    });
  });

  it('delivers a direct message, its edit and its deletion to every socket of both users on both processes', async () => {
    const { a, b } = cluster;
    const alice = await chatter(cluster, a.url, 'dmalice');
    const bob = await chatter(cluster, b.url, 'dmbob');
    const carol = await chatter(cluster, a.url, 'dmcarol');
    const aliceA = await connectAs(a.url, alice);
    const aliceB = await connectAs(b.url, alice);
    const bobA = await connectAs(a.url, bob);
    const bobB = await connectAs(b.url, bob);
    const carolB = await connectAs(b.url, carol);
    const carolSaw = record(carolB, 'message');
    await deliverAcross(aliceA, bobB, 'warming up');

    const all = [aliceA, aliceB, bobA, bobB];
    const text = 'direct, across processes';
    const heard = all.map((s) => nextEvent(s, 'message', (m) => m.text === text));
    const ack = await ask(aliceA, 'message', { to: bob.username, text });
    expect(ack).to.include({ ok: true });
    for (const m of await Promise.all(heard))
      expect(m).to.include({
        id: ack.id,
        room: `dm:${Math.min(alice.id, bob.id)}-${Math.max(alice.id, bob.id)}`,
      });

    const edited = all.map((s) => nextEvent(s, 'message_edited', (e) => e.id === ack.id));
    expect(await ask(aliceB, 'edit', { id: ack.id, text: 'edited across' })).to.include({ ok: true });
    for (const e of await Promise.all(edited)) expect(e.text).to.equal('edited across');

    const deleted = all.map((s) => nextEvent(s, 'message_deleted', (e) => e.id === ack.id));
    expect(await ask(aliceA, 'delete', { id: ack.id })).to.deep.equal({ ok: true, id: ack.id });
    await Promise.all(deleted);

    // Bob reads on B; his socket on A hears where his marker now stands.
    const { id } = await ask(bobA, 'message', { to: alice.username, text: 'read me' });
    const told = nextEvent(aliceB, 'read');
    await ask(aliceA, 'read', { room: `dm:${Math.min(alice.id, bob.id)}-${Math.max(alice.id, bob.id)}`, id });
    expect((await told).last_read_id).to.equal(id);
    await settle();
    // Carol, in the lobby on B, heard the warm-up there and nothing of the conversation.
    expect(carolSaw.filter((m) => m.room !== 'lobby')).to.deep.equal([]);
  });

  it('logout through A disconnects that session’s socket on B, and only that session’s', async () => {
    const { a, b } = cluster;
    const carol = await chatter(cluster, a.url, 'carol');
    const other = await logIn(b.url, carol.username, carol.password);
    const doomed = await connectAs(b.url, carol);
    const spared = await connectAs(b.url, { ...carol, token: other.body.token });
    const told = nextEvent(doomed, 'auth_error');
    const gone = disconnected(doomed);
    expect((await api(a.url, 'POST', '/api/logout', undefined, bearer(carol.token))).status).to.equal(204);
    expect((await told).code).to.equal('unauthorized');
    expect(await gone).to.equal('io server disconnect');
    await settle(300);
    expect(spared.connected, 'the other session’s socket').to.equal(true);
  });

  it('counts failed logins for one account on both processes: the 6th in a row is refused', async () => {
    const { a, b, smtp } = cluster;
    const p = await verifiedPerson(a.url, smtp, 'dave');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await logIn(i % 2 === 0 ? a.url : b.url, p.username, 'not the password')).status);
    }
    expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 429]);
    // Locked for both, the right password included.
    expect((await logIn(b.url, p.username, p.password)).status).to.equal(429);
    expect((await logIn(a.url, p.username, p.password)).status).to.equal(429);
  });
});

describe('system: two outbox workers on one PostgreSQL database', () => {
  let cluster: ScaleOut;

  before(async () => {
    // A slow SMTP server keeps both workers busy on the same backlog at the same time.
    cluster = await startScaleOut({ smtpDelayMs: 100 });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('sends each queued mail exactly once, some from each process', async () => {
    const { a, b, smtp } = cluster;
    const people = Array.from({ length: 24 }, () => newPerson('mail'));
    const answers = await Promise.all(people.map((p, i) => signUp(i % 2 === 0 ? a.url : b.url, p)));
    expect(answers.map((r) => r.status)).to.deep.equal(people.map(() => 201));

    await eventually(() => smtp.messages.length >= people.length, {
      timeoutMs: 30_000,
      what: `${people.length} mails`,
    });
    // Long enough for either worker to poll again: a second copy would arrive now.
    await settle(2500);
    const recipients = smtp.messages.map((m) => m.to).sort();
    expect(recipients).to.deep.equal(people.map((p) => p.email).sort());

    const sentBy = [a, b].map((s) => cluster.logged(s, 'mail sent').length);
    expect(sentBy[0]! + sentBy[1]!, `sent by A, B: ${sentBy}`).to.equal(people.length);
    expect(sentBy[0], 'sent by A').to.be.above(0);
    expect(sentBy[1], 'sent by B').to.be.above(0);

    const client = new pg.Client({ connectionString: cluster.db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ unsent: number; most: number }>(
        'SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent, max(attempts)::int AS most FROM mail_outbox',
      );
      expect(rows[0]).to.deep.equal({ unsent: 0, most: 1 });
    } finally {
      await client.end();
    }
  });
});

describe('system: Redis killed and restarted under two server processes', function () {
  let redis: OwnRedis;
  let cluster: ScaleOut;

  before(async function () {
    if (!haveRedisServer()) {
      console.log('      (redis-server is not on PATH: a Redis of the test’s own cannot be started)');
      this.skip();
    }
    redis = await startOwnRedis();
    cluster = await startScaleOut({ redisUrl: redis.url });
  });
  afterEach(() => disconnectAll());
  after(async () => {
    await cluster?.stop();
    await redis?.stop();
  });

  it('keeps serving on each process while Redis is away, and works across them again once it is back', async () => {
    const { a, b } = cluster;
    const alice = await chatter(cluster, a.url, 'alice');
    const bob = await chatter(cluster, b.url, 'bob');
    const aliceOnA = await connectAs(a.url, alice);
    const bobOnB = await connectAs(b.url, bob);
    const bobOnA = await connectAs(a.url, bob);
    await deliverAcross(aliceOnA, bobOnB, 'before');

    await redis.kill();
    await eventually(
      () => [a, b].every((s) => cluster.logged(s, /^Redis connection lost \(socket\.io/).length > 0),
      {
        what: 'both processes logging that Redis is unavailable',
      },
    );

    // REST: health, a signup, a login, the status page - each answered, and quickly.
    for (const s of [a, b]) {
      const started = Date.now();
      expect((await api(s.url, 'GET', '/api/health')).status).to.equal(200);
      expect(await connectedUsers(s.url)).to.be.a('number');
      expect(Date.now() - started, 'health and server-status time').to.be.below(3000);
    }
    const carol = newPerson('carol');
    expect((await signUp(b.url, carol)).status).to.equal(201);
    expect((await logIn(a.url, alice.username, alice.password)).status).to.equal(200);

    // Chat within a process goes on; the message is stored, so B's clients find it in history.
    const text = 'said while Redis was away';
    const heardOnA = nextEvent(bobOnA, 'message', (m) => m.text === text);
    expect(await ask(aliceOnA, 'message', { room: 'lobby', text })).to.include({ ok: true });
    await heardOnA;
    const history = await ask(bobOnB, 'history', { room: 'lobby' });
    expect(history.messages.map((m: { text: string }) => m.text)).to.include(text);

    // Logout still ends the session's sockets on the process that took it: not through Redis.
    const second = await logIn(a.url, alice.username, alice.password);
    const doomed = await connectAs(a.url, { ...alice, token: second.body.token });
    const doomedGone = disconnected(doomed);
    expect((await api(a.url, 'POST', '/api/logout', undefined, bearer(second.body.token))).status).to.equal(
      204,
    );
    expect(await doomedGone).to.equal('io server disconnect');
    expect(aliceOnA.connected, 'the first session is untouched').to.equal(true);

    await redis.restart();
    await deliverAcross(aliceOnA, bobOnB, 'after', 15_000);
    await eventually(
      () => [a, b].every((s) => cluster.logged(s, /^Redis connection restored \(socket\.io/).length > 0),
      {
        what: 'both processes logging that Redis is back',
      },
    );

    // Revocation reaches the other process again.
    const told = nextEvent(bobOnB, 'auth_error');
    const bobGone = disconnected(bobOnB);
    expect((await api(a.url, 'POST', '/api/logout', undefined, bearer(bob.token))).status).to.equal(204);
    expect((await told).code).to.equal('unauthorized');
    expect(await bobGone).to.equal('io server disconnect');

    expect([a.child.exitCode, b.child.exitCode], 'both processes still running').to.deep.equal([null, null]);
  });
});
