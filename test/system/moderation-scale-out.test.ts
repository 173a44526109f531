import { expect } from 'chai';
import pg from 'pg';
import { logIn, verifiedPerson } from '../helpers/accounts.js';
import { startScaleOut, type ScaleOut } from '../helpers/scale-out.js';
import {
  ask,
  connectAs,
  disconnectAll,
  nextEvent,
  record,
  settle,
  type ChatPerson,
  type ClientSocket,
} from '../helpers/sockets.js';
import { eventually } from '../helpers/wait.js';

/*
 * Moderation across two server processes on one PostgreSQL database and one Redis: a ban made
 * through A takes the member's sockets on B out of the room and keeps them out on both; a mute
 * made through B holds on A. Both live in the database, so neither process has to be told.
 */
describe('system: moderation across two server processes (Redis adapter)', function () {
  this.timeout(90_000);
  let cluster: ScaleOut;

  before(async () => {
    cluster = await startScaleOut();
  });
  afterEach(() => disconnectAll());
  after(async () => {
    await cluster?.stop();
  });

  const chatter = async (url: string, prefix: string): Promise<ChatPerson> => {
    const p = await verifiedPerson(url, cluster.smtp, prefix);
    const res = await logIn(url, p.username, p.password);
    expect(res.status, 'login').to.equal(200);
    return { ...p, id: res.body.user.id, token: res.body.token };
  };

  const makeModerator = async (p: ChatPerson) => {
    const client = new pg.Client({ connectionString: cluster.db.url });
    await client.connect();
    try {
      await client.query("UPDATE users SET role = 'moderator' WHERE id = $1", [p.id]);
    } finally {
      await client.end();
    }
  };

  /** Joins, then sends through `from` until `to` hears it: the processes may still be finding each other. */
  const heardAcross = async (from: ClientSocket, to: ClientSocket, room: string) => {
    let n = 0;
    await eventually(
      async () => {
        const text = `ping ${++n}`;
        const heard = nextEvent(to, 'message', (m) => m.text === text, 400).then(
          () => true,
          () => false,
        );
        expect(await ask(from, 'message', { room, text })).to.include({ ok: true });
        return heard;
      },
      { timeoutMs: 10_000, what: 'a message from one process reaching the other' },
    );
  };

  it('a ban through A takes the member out on B and keeps them out of the room on both', async () => {
    const { a, b } = cluster;
    const mod = await chatter(a.url, 'somod');
    const eve = await chatter(b.url, 'soeve');
    const bystander = await chatter(b.url, 'sobys');
    await makeModerator(mod);
    const m = await connectAs(a.url, mod);
    const e = await connectAs(b.url, eve);
    const by = await connectAs(b.url, bystander);
    for (const s of [m, e, by]) expect(await ask(s, 'join', { room: 'floor' })).to.include({ ok: true });
    await heardAcross(m, e, 'floor');

    const lineOnB = nextEvent(by, 'moderation');
    const toldEve = nextEvent(e, 'moderation');
    expect(await ask(m, 'moderate', { action: 'ban', room: 'floor', user_id: eve.id })).to.include({
      ok: true,
    });
    expect(await lineOnB).to.include({ action: 'ban', room: 'floor' });
    expect(await toldEve).to.deep.include({ user: { id: eve.id, username: eve.username } });
    // B took Eve's socket out: she hears nothing more from the room, and presence on B says so.
    await nextEvent(by, 'presence', (p) => p.room === 'floor' && !p.users.some((u) => u.id === eve.id), 5000);
    const heard = record(e, 'message');
    expect(await ask(m, 'message', { room: 'floor', text: 'after the ban' })).to.include({ ok: true });
    await settle(300);
    expect(heard).to.deep.equal([]);
    expect(await ask(e, 'join', { room: 'floor' })).to.include({ ok: false, code: 'banned' });
    expect(await ask(await connectAs(a.url, eve), 'join', { room: 'floor' })).to.include({
      ok: false,
      code: 'banned',
    });

    // Lifted through B, it is lifted on A too.
    const m2 = await connectAs(b.url, mod);
    expect(await ask(m2, 'moderate', { action: 'unban', room: 'floor', user_id: eve.id })).to.include({
      ok: true,
    });
    expect(await ask(await connectAs(a.url, eve), 'join', { room: 'floor' })).to.include({ ok: true });
  });

  it('a mute through B holds on A', async () => {
    const { a, b } = cluster;
    const mod = await chatter(b.url, 'somod2');
    const sam = await chatter(a.url, 'sosam');
    await makeModerator(mod);
    const m = await connectAs(b.url, mod);
    const s = await connectAs(a.url, sam);
    const told = nextEvent(s, 'moderation', () => true, 5000);
    expect(
      await ask(m, 'moderate', { action: 'mute', room: 'lobby', user_id: sam.id, minutes: 5 }),
    ).to.include({
      ok: true,
    });
    expect(await told).to.include({ action: 'mute' });
    expect(await ask(s, 'message', { room: 'lobby', text: 'hello?' })).to.include({
      ok: false,
      code: 'muted',
    });
  });
});
