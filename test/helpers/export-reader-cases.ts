import { expect } from 'chai';
import { migrateToLatest, readerOf, type Db } from '../../server/store/db.js';
import { exportReaderOf, readPage, type PageRequest } from '../../server/store/export-reader.js';

/** Texts the database must escape when it writes the JSON, and that must cross to the thread whole. */
const TEXTS = ['plain', 'ünïcødé 😀 中文', '"quoted" back\\slash', 'new\nline tab\t bell\u0007', '</script>'];

/**
 * The account export's page reader (server/store/export-reader.ts) on one kind of database:
 * `open` gives a database handle as the server opens it, not yet migrated, and `drop` removes
 * what it made; `isThread` false for a database read in the process. Shared by the SQLite tests
 * and the PostgreSQL system tests.
 */
export function exportReaderCases(
  open: () => Promise<{ db: Db; drop: () => Promise<void> }>,
  isThread = true,
): void {
  let db: Db;
  let drop: () => Promise<void>;
  let userId: number;

  beforeEach(async () => {
    ({ db, drop } = await open());
  });
  afterEach(async () => {
    await db.destroy();
    await drop();
  });

  async function seed(messages: number, events: number): Promise<void> {
    await migrateToLatest(db);
    const [row] = await db('users')
      .insert({ username: 'exporter', email: 'exporter@example.test', password_hash: 'x', created_at: 1 })
      .returning('id');
    userId = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    await db.batchInsert(
      'messages',
      Array.from({ length: messages }, (_, i) => ({
        room: 'lobby',
        user_id: userId,
        text: `${i} ${TEXTS[i % TEXTS.length]}`,
        created_at: 1_800_000_000_000 + i,
      })),
      100,
    );
    await db.batchInsert(
      'audit_events',
      Array.from({ length: events }, (_, i) => ({
        user_id: userId,
        type: 'login_failed',
        at: 1_800_000_000_000 + i,
        ip: '127.0.0.1',
        user_agent: TEXTS[i % TEXTS.length],
      })),
      100,
    );
  }

  /** Every page of one part, read through the export reader, as the objects they hold. */
  async function readAll(first: PageRequest, next: (lastId: number) => PageRequest): Promise<unknown[]> {
    const objects: unknown[] = [];
    for (let request = first; ;) {
      const page = await exportReaderOf(db).read(request);
      // The same text as a page read in the process: the thread changes where, not what.
      expect(page.json).to.equal((await readPage(readerOf(db), request)).json);
      if (page.rows > 0) objects.push(...(JSON.parse(`[${page.json}]`) as unknown[]));
      if (page.rows < request.limit) return objects;
      request = next(page.lastId);
    }
  }

  it('reads every message oldest first and every event newest first, page by page, as the process would', async () => {
    await seed(23, 11);
    await exportReaderOf(db).ready();
    const messages = (await readAll(
      { part: 'messages', userId, afterId: 0, upToId: 1_000_000, limit: 5 },
      (lastId) => ({ part: 'messages', userId, afterId: lastId, upToId: 1_000_000, limit: 5 }),
    )) as { id: number; text: string; created_at: string }[];
    expect(messages.map((m) => m.text)).to.deep.equal(
      Array.from({ length: 23 }, (_, i) => `${i} ${TEXTS[i % TEXTS.length]}`),
    );
    expect(messages[0]!.created_at).to.equal(new Date(1_800_000_000_000).toISOString());
    const events = (await readAll({ part: 'activity', userId, before: undefined, limit: 4 }, (lastId) => ({
      part: 'activity',
      userId,
      before: lastId,
      limit: 4,
    }))) as { user_agent: string }[];
    expect(events.map((e) => e.user_agent)).to.deep.equal(
      Array.from({ length: 11 }, (_, i) => TEXTS[(10 - i) % TEXTS.length]),
    );
  });

  it('fails a page the database refuses with its error, and reads the next once it can', async () => {
    // Not migrated: no tables yet.
    const request: PageRequest = { part: 'activity', userId: 1, before: undefined, limit: 10 };
    const err = await exportReaderOf(db)
      .read(request)
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.message).to.match(/audit_events/);
    await seed(0, 3);
    expect((await exportReaderOf(db).read(request)).rows).to.equal(3);
  });

  it('ends with the database: a page asked for afterwards fails at once', async () => {
    await seed(1, 1);
    await exportReaderOf(db).read({ part: 'activity', userId, before: undefined, limit: 10 });
    const reader = exportReaderOf(db);
    await db.destroy();
    const err = await reader.read({ part: 'activity', userId, before: undefined, limit: 10 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/closed|destroyed|Unable to acquire a connection/);
    if (isThread) {
      const notReady = await reader.ready().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(notReady?.message).to.match(/closed/);
    }
    // What afterEach destroys again: a no-op on a destroyed handle.
  });
}
