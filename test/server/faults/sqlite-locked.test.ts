import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { SQLITE_BUSY_TIMEOUT_MS } from '../../../server/store/db.js';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { eventually } from '../../helpers/wait.js';
import { ask } from '../../helpers/sockets.js';
import { useServer } from '../../helpers/fixture.js';

const hasSqlite3 = spawnSync('sqlite3', ['-version']).status === 0;

/** Another process holding the database's write lock (sqlite3 in BEGIN EXCLUSIVE) until released. */
async function lockDatabase(file: string): Promise<{ release(): Promise<void> }> {
  const child: ChildProcess = spawn('sqlite3', [file], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stdin!.write("BEGIN EXCLUSIVE;\nSELECT 'held';\n");
  await eventually(() => out.includes('held'), { what: 'sqlite3 to hold the lock' });
  return {
    async release() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end('ROLLBACK;\n.quit\n');
      await exited;
    },
  };
}

/**
 * SQLite locked by another writer for longer than the busy timeout: writes wait that long,
 * then answer 503 with Retry-After (never 500), store nothing, and work again once the lock
 * is gone. Needs the sqlite3 command-line tool; skipped without it.
 */
describe('fault: SQLite locked by another writer', function () {
  this.timeout(60_000);

  const t = useServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '1000' } });

  before(async function () {
    if (!hasSqlite3) this.skip();
    // Only a SQLite file can be locked this way.
    if (t.database !== 'sqlite') this.skip();
  });

  it('answers writes 503 + Retry-After after the busy timeout, stores nothing, and recovers', async () => {
    const known = newPerson('known');
    expect((await t.signUp(known)).status).to.equal(201);
    const talker = await t.chatPerson('talker');
    const socket = await t.connectAs(talker);

    const lock = await lockDatabase(t.dbFile);
    const blocked = newPerson('blocked');
    let started = performance.now();
    try {
      // A login's first write (the failure count) is a statement of its own: it waits for the
      // lock up to the busy timeout, then the answer is 503, not a 500 or a wrong 401.
      const res = await t.logIn(known.username, known.password);
      expectError(res, 503, 'service_unavailable');
      expect(Number(res.headers.get('retry-after'))).to.be.within(1, 10);
      expect(res.body.retry_after_s).to.equal(Number(res.headers.get('retry-after')));
      expect(performance.now() - started, 'waited for the lock first').to.be.at.least(
        SQLITE_BUSY_TIMEOUT_MS - 500,
      );

      // A signup reads, then writes, in one transaction: refused the same way.
      expectError(await t.signUp(blocked), 503, 'service_unavailable');
      // Over Socket.IO, a message cannot be stored: {ok:false}, and the socket stays.
      // The insert waits for the lock too (twice: the batch, then the row on its own).
      const ack = await (socket as any)
        .timeout(3 * SQLITE_BUSY_TIMEOUT_MS)
        .emitWithAck('message', 'while locked');
      expect(ack).to.include({ ok: false, code: 'service_unavailable' });
      expect(socket.connected).to.equal(true);
    } finally {
      await lock.release();
    }

    started = performance.now();
    expect((await t.signUp(blocked)).status).to.equal(201);
    expect(performance.now() - started).to.be.below(SQLITE_BUSY_TIMEOUT_MS);
    expect((await t.api('GET', '/api/health')).status).to.equal(200);
    expect((await ask(socket, 'message', 'after the lock')).ok).to.equal(true);
    const texts = (await t.db('messages').pluck('text')) as string[];
    expect(texts).to.include('after the lock');
    expect(texts).to.not.include('while locked');
    expect(await t.db('users').where({ username: blocked.username }).count({ n: '*' })).to.deep.equal([
      { n: 1 },
    ]);
    expect(t.logs.some((l) => l.includes('"status":500'))).to.equal(false);
  });
});
