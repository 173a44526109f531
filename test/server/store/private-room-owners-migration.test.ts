import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../../server/store/db.js';
import { migrationSource } from '../../../server/store/migrations/index.js';

/**
 * Migration 024 on a real SQLite file: private rooms orphaned by an owner's deletion before
 * deletion handed them over pass to their longest-standing member; the rest is left as it was.
 */
describe('migration 024: private rooms left without an owner', () => {
  let dir: string;
  let db: Db;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-owners-'));
    db = openDatabase(join(dir, 'owners.sqlite'));
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands each orphaned room with members to the earliest member and leaves the others alone', async () => {
    for (;;) {
      const [done] = (await db.migrate.list({ migrationSource })) as [{ name: string }[]];
      if (done.some((m) => m.name === '023_locale')) break;
      await db.migrate.up({ migrationSource });
    }
    const user = async (name: string) => {
      const [row] = await db('users')
        .insert({ username: name, email: `${name}@example.test`, password_hash: 'x', created_at: 1 })
        .returning('id');
      return Number(typeof row === 'object' ? row.id : row);
    };
    const [early, late, owner] = [await user('early'), await user('late'), await user('owner')];
    await db('private_rooms').insert([
      { room: 'orphan', owner_id: null, created_at: 1 },
      { room: 'empty', owner_id: null, created_at: 1 },
      { room: 'owned', owner_id: owner, created_at: 1 },
    ]);
    await db('private_room_members').insert([
      // The later member has the lower id: time decides, not the id.
      { room: 'orphan', user_id: early, added_at: 20 },
      { room: 'orphan', user_id: late, added_at: 10 },
      { room: 'owned', user_id: owner, added_at: 1 },
      { room: 'owned', user_id: early, added_at: 0 },
    ]);
    await db.migrate.up({ migrationSource });
    const rooms = await db('private_rooms').orderBy('room').select('room', 'owner_id');
    expect(rooms.map((r: { room: string; owner_id: number | null }) => [r.room, r.owner_id])).to.deep.equal([
      ['empty', null],
      ['orphan', late],
      ['owned', owner],
    ]);
  });
});
