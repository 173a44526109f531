import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { migrateToLatest, openDatabase, readerOf, type Db } from '../../../server/store/db.js';
import { addMember, createRoom, privacyOf, removeMember } from '../../../server/store/private-rooms.js';
import { impose, inForceAt, lift, sanctionsInForce } from '../../../server/store/room-sanctions.js';
import { roomStanding } from '../../../server/store/room-standing.js';

/**
 * The lookups every message makes before it is stored - is the room private and the author in
 * it, is the author muted or banned there - gather the lookups of one turn of the event loop into
 * one query, read on SQLite's reader connections. Each caller must get exactly its own pair's
 * answer (rooms IN and users IN also match pairs nobody asked), and a change committed by another
 * process (here another handle on the same file) before a lookup is asked must be seen by it:
 * nothing is remembered from one turn to the next.
 */
describe('message lookups gathered per turn (store)', () => {
  let dir: string;
  let db: Db;
  let other: Db;
  const ids: number[] = [];
  const now = 1_800_000_000_000;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-send-lookups-'));
    db = openDatabase(join(dir, 'lookups.sqlite'));
    await migrateToLatest(db);
    // Another server process on the same database.
    other = openDatabase(join(dir, 'lookups.sqlite'));
    for (let i = 1; i <= 4; i++) {
      const [row] = await db('users')
        .insert({ username: `user${i}`, email: `user${i}@example.test`, password_hash: 'x', created_at: 1 })
        .returning('id');
      ids.push(Number(typeof row === 'object' ? row.id : row));
    }
  });
  after(async () => {
    await other.destroy();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const counting = async <T>(work: () => Promise<T>): Promise<{ value: T; queries: string[] }> => {
    const queries: string[] = [];
    const reader = readerOf(db);
    const onQuery = (q: { sql: string }) => queries.push(q.sql);
    reader.on('query', onQuery);
    try {
      return { value: await work(), queries };
    } finally {
      reader.off('query', onQuery);
    }
  };

  it('answers each (room, user) with its own sanctions, in one query per turn', async () => {
    const [a, b] = ids as [number, number];
    await impose(db, { room: 'alpha', userId: a, kind: 'mute', until: now + 60_000, actorId: b, at: now });
    await impose(db, { room: 'beta', userId: b, kind: 'ban', until: null, actorId: a, at: now });
    const reader = readerOf(db);
    const { value, queries } = await counting(() =>
      Promise.all([
        sanctionsInForce(reader, 'alpha', a, now),
        sanctionsInForce(reader, 'alpha', b, now),
        sanctionsInForce(reader, 'beta', a, now),
        sanctionsInForce(reader, 'beta', b, now),
        sanctionsInForce(reader, 'alpha', a, now + 120_000),
      ]),
    );
    expect(value).to.deep.equal([{ mute: now + 60_000 }, {}, {}, { ban: null }, {}]);
    expect(queries.filter((q) => q.includes('room_sanctions'))).to.have.length(1);
    await lift(db, 'alpha', a, 'mute');
    await lift(db, 'beta', b, 'ban');
  });

  it('sees a mute, ban, unmute and unban committed by another process before the next lookup', async () => {
    const [a, b] = ids as [number, number];
    const reader = readerOf(db);
    expect(await sanctionsInForce(reader, 'gamma', a, now)).to.deep.equal({});
    await impose(other, { room: 'gamma', userId: a, kind: 'mute', until: now + 1000, actorId: b, at: now });
    expect(await sanctionsInForce(reader, 'gamma', a, now)).to.deep.equal({ mute: now + 1000 });
    await impose(other, { room: 'gamma', userId: a, kind: 'ban', until: null, actorId: b, at: now });
    expect(await sanctionsInForce(reader, 'gamma', a, now)).to.deep.equal({ mute: now + 1000, ban: null });
    await lift(other, 'gamma', a, 'ban');
    expect(await sanctionsInForce(reader, 'gamma', a, now)).to.deep.equal({ mute: now + 1000 });
    await lift(other, 'gamma', a, 'mute');
    expect(await sanctionsInForce(reader, 'gamma', a, now)).to.deep.equal({});
  });

  it('says which rooms are private and who is in them, in one query per turn', async () => {
    const [a, b, c] = ids as [number, number, number];
    expect(await createRoom(db, 'secret', a, now)).to.equal(true);
    await addMember(db, 'secret', b, now);
    const reader = readerOf(db);
    const { value, queries } = await counting(() =>
      Promise.all([
        privacyOf(reader, { room: 'secret', userId: a }),
        privacyOf(reader, { room: 'secret', userId: b }),
        privacyOf(reader, { room: 'secret', userId: c }),
        privacyOf(reader, { room: 'lobby', userId: a }),
        privacyOf(reader, { room: 'lobby', userId: c }),
      ]),
    );
    expect(value).to.deep.equal([
      { private: true, member: true },
      { private: true, member: true },
      { private: true, member: false },
      { private: false, member: false },
      { private: false, member: false },
    ]);
    expect(queries.filter((q) => q.includes('private_rooms'))).to.have.length(1);
  });

  it('sees a room made private, an invitation and a removal by another process at the next lookup', async () => {
    const [a, , c] = ids as [number, number, number];
    const reader = readerOf(db);
    expect(await privacyOf(reader, { room: 'later', userId: c })).to.deep.equal({
      private: false,
      member: false,
    });
    await createRoom(other, 'later', a, now);
    expect(await privacyOf(reader, { room: 'later', userId: c })).to.deep.equal({
      private: true,
      member: false,
    });
    await addMember(other, 'later', c, now);
    expect(await privacyOf(reader, { room: 'later', userId: c })).to.deep.equal({
      private: true,
      member: true,
    });
    await removeMember(other, 'later', c);
    expect(await privacyOf(reader, { room: 'later', userId: c })).to.deep.equal({
      private: true,
      member: false,
    });
  });

  it("answers a message's standing (privacy and sanctions) per pair, one query each per turn, shared by its askers", async () => {
    const [a, b, c] = ids as [number, number, number];
    expect(await createRoom(db, 'standing', a, now)).to.equal(true);
    await impose(db, { room: 'standing', userId: a, kind: 'mute', until: now + 60_000, actorId: b, at: now });
    await impose(db, { room: 'open', userId: c, kind: 'ban', until: null, actorId: a, at: now });
    const reader = readerOf(db);
    const asked = [
      roomStanding(reader, { room: 'standing', userId: a }),
      roomStanding(reader, { room: 'standing', userId: a }),
      roomStanding(reader, { room: 'standing', userId: b }),
      roomStanding(reader, { room: 'open', userId: c }),
      roomStanding(reader, { room: 'open', userId: b }),
    ];
    expect(asked[1], 'the same pair in the same turn: one promise').to.equal(asked[0]);
    const { value, queries } = await counting(() => Promise.all(asked));
    expect(
      value.map((s) => ({ private: s.private, member: s.member, inForce: inForceAt(s.sanctions, now) })),
    ).to.deep.equal([
      { private: true, member: true, inForce: { mute: now + 60_000 } },
      { private: true, member: true, inForce: { mute: now + 60_000 } },
      { private: true, member: false, inForce: {} },
      { private: false, member: false, inForce: { ban: null } },
      { private: false, member: false, inForce: {} },
    ]);
    expect(queries.filter((q) => q.includes('room_sanctions'))).to.have.length(1);
    expect(queries.filter((q) => q.includes('private_rooms'))).to.have.length(1);
    // Nothing is remembered: another process's changes are seen at the next turn's lookup.
    await lift(other, 'standing', a, 'mute');
    await addMember(other, 'standing', b, now);
    await lift(other, 'open', c, 'ban');
    const again = await Promise.all([
      roomStanding(reader, { room: 'standing', userId: a }),
      roomStanding(reader, { room: 'standing', userId: b }),
      roomStanding(reader, { room: 'open', userId: c }),
    ]);
    expect(again.map((s) => [s.member, inForceAt(s.sanctions, now)])).to.deep.equal([
      [true, {}],
      [true, {}],
      [false, {}],
    ]);
  });

  it('answers more pairs than one statement binds', async () => {
    const [a, b] = ids as [number, number];
    await impose(db, { room: 'room-0950', userId: b, kind: 'mute', until: null, actorId: a, at: now });
    const reader = readerOf(db);
    const rooms = Array.from({ length: 1000 }, (_, i) => `room-${String(i).padStart(4, '0')}`);
    const [sanctioned, privacy] = await Promise.all([
      Promise.all(rooms.map((room) => sanctionsInForce(reader, room, b, now))),
      Promise.all(rooms.map((room, i) => privacyOf(reader, { room, userId: 1_000_000 + i }))),
    ]);
    expect(sanctioned.findIndex((s) => s.mute === null)).to.equal(950);
    expect(sanctioned.filter((s) => Object.keys(s).length > 0)).to.have.length(1);
    expect(privacy.filter((p) => p.private || p.member)).to.have.length(0);
  });

  it('rejects every waiting lookup when the database fails, and answers again after', async () => {
    const broken = openDatabase(join(dir, 'no-tables.sqlite'));
    try {
      const results = await Promise.allSettled([
        sanctionsInForce(broken, 'lobby', 1, now),
        sanctionsInForce(broken, 'lobby', 2, now),
        privacyOf(broken, { room: 'lobby', userId: 1 }),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
    } finally {
      await broken.destroy();
    }
    expect(await sanctionsInForce(readerOf(db), 'lobby', ids[0]!, now)).to.deep.equal({});
  });
});
