import { expect } from 'chai';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import knexFactory from 'knex';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { logIn, newPerson, signUp } from '../../helpers/accounts.js';
import { ask, chatPerson, connectAs, disconnectAll, type ClientSocket } from '../../helpers/sockets.js';
import { runCli, tempDir } from '../../helpers/cli.js';
import { migrationSource } from '../../../server/store/migrations/index.js';

// The backup names the last migration applied: the newest of the list the server runs.
const latestMigration = (await migrationSource.getMigrations([])).at(-1);

/** What the load got acknowledged by the server: it promised these are stored. */
interface Acked {
  usernames: string[];
  messages: { id: number; text: string }[];
}

/**
 * Signups and chat messages sent as fast as the limits let them, until stopped. Every write
 * the server acknowledged is recorded, so a backup can be checked against what was promised.
 */
function writeLoad(t: TestServer, sockets: ClientSocket[]) {
  const acked: Acked = { usernames: [], messages: [] };
  let running = true;
  const signups = Array.from({ length: 2 }, async () => {
    while (running) {
      const p = newPerson('load');
      if ((await signUp(t.url, p)).status === 201) acked.usernames.push(p.username);
    }
  });
  const chats = sockets.map(async (socket, i) => {
    let n = 0;
    while (running) {
      const text = `load ${i}-${n++}`;
      const ack = await ask(socket, 'message', { text });
      if (ack.ok) acked.messages.push({ id: ack.id, text });
      // Under the 5 messages a second each user may send.
      await new Promise((r) => setTimeout(r, 220));
    }
  });
  return {
    acked,
    /** A copy of what is acknowledged so far. */
    snapshot: (): Acked => ({ usernames: [...acked.usernames], messages: [...acked.messages] }),
    async stop() {
      running = false;
      await Promise.all([...signups, ...chats]);
    },
  };
}

async function until(what: string, test: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function readDatabase(file: string) {
  const db = knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true });
  try {
    const users = (await db('users').select('username')).map((r: { username: string }) => r.username);
    const messages = await db('messages').select('id', 'text');
    return { users: new Set(users), messages: new Map(messages.map((m: any) => [m.id, m.text])) };
  } finally {
    await db.destroy();
  }
}

describe('mux1 db backup and restore: a live SQLite database', function () {
  this.timeout(90_000);
  let dir: { path: string; remove(): void };
  let dbFile: string;
  let server: TestServer | undefined;

  const serverEnv = () => ({
    DATABASE_URL: dbFile,
    LIMIT_SIGNUPS_PER_10MIN: '100000',
    // Signups from the load are many per second; proof-of-work stays out of the way.
    CHALLENGE_MAX_NUMBER: '10',
  });

  before(() => {
    dir = tempDir('mux1-backup-');
    dbFile = join(dir.path, 'data', 'mux1.sqlite');
    mkdirSync(join(dir.path, 'data'));
  });
  afterEach(() => disconnectAll());
  after(async () => {
    await server?.close();
    dir?.remove();
  });

  it('backs up under a write load, refuses to restore over the running server, and the restore holds every acknowledged write', async () => {
    server = await startTestServer({ dir: dir.path, env: serverEnv() });
    const t = server;
    const people = await Promise.all([1, 2, 3].map(() => chatPerson(t, 'writer')));
    const sockets = await Promise.all(people.map((p) => connectAs(t.url, p)));
    const load = writeLoad(t, sockets);
    try {
      await until(
        'a first batch of writes',
        () => load.acked.usernames.length >= 10 && load.acked.messages.length >= 20,
      );
      const before = load.snapshot();
      const backupFile = join(dir.path, 'backup.sqlite');
      const backup = await runCli(['db', 'backup', backupFile, '--db', dbFile, '--json'], {
        timeoutMs: 30_000,
      });
      expect(backup.code, backup.stdout + backup.stderr).to.equal(0);
      const body = backup.json();
      expect(body).to.include({ file: backupFile, database: dbFile, migration: latestMigration });
      expect(body.bytes).to.equal(statSync(backupFile).size);
      expect(body.pending).to.deep.equal([]);
      // The load went on while the copy was made: the server kept acknowledging writes.
      const during = load.acked.messages.length;
      await until('writes after the backup', () => load.acked.messages.length > during + 3);

      const refused = await runCli(['db', 'restore', backupFile, '--db', dbFile, '--json']);
      expect(refused.code).to.equal(1);
      expect(refused.json().code).to.equal('database_in_use');
      // The running server was left alone: it still takes writes.
      const still = load.acked.messages.length;
      await until('writes after the refused restore', () => load.acked.messages.length > still + 3);

      await load.stop();
      disconnectAll();
      await server.close();
      server = undefined;

      const inBackup = await readDatabase(backupFile);
      for (const name of before.usernames) expect(inBackup.users.has(name), `user ${name}`).to.equal(true);
      for (const m of before.messages)
        expect(inBackup.messages.get(m.id), `message ${m.id}`).to.equal(m.text);

      const live = await readDatabase(dbFile);
      expect(live.messages.size, 'the live database went on past the backup').to.be.greaterThan(
        inBackup.messages.size,
      );

      const restored = await runCli(['db', 'restore', backupFile, '--db', dbFile, '--json']);
      expect(restored.code, restored.stdout + restored.stderr).to.equal(0);
      const kept = restored.json().keptAside as string;
      expect(kept).to.match(/mux1\.sqlite\.before-restore-/);
      expect((await readDatabase(kept)).messages.size, 'the replaced database, kept').to.equal(
        live.messages.size,
      );

      // A server on the restored file: every acknowledged account and message from before the backup.
      server = await startTestServer({ dir: dir.path, env: serverEnv() });
      const now = await readDatabase(dbFile);
      expect(now.messages.size).to.equal(inBackup.messages.size);
      for (const name of before.usernames) expect(now.users.has(name), `user ${name}`).to.equal(true);
      for (const m of before.messages) expect(now.messages.get(m.id), `message ${m.id}`).to.equal(m.text);
      const login = await logIn(server.url, people[0]!.username, people[0]!.password);
      expect(login.status, 'a writer logs in on the restored server').to.equal(200);
    } finally {
      await load.stop();
    }
  });

  describe('what it refuses', () => {
    const run = (args: string[]) => runCli(['db', ...args, '--json']);
    let good: string;

    before(async () => {
      await server?.close();
      server = undefined;
      good = join(dir.path, 'good.sqlite');
      const r = await run(['backup', good, '--db', dbFile, '--force']);
      expect(r.code, r.stdout).to.equal(0);
    });

    it('no FILE: a usage error', async () => {
      const r = await run(['backup', '--db', dbFile]);
      expect(r.code).to.equal(2);
      const again = await run(['restore', '--db', dbFile]);
      expect(again.code).to.equal(2);
    });

    it('an existing FILE without --force, a missing folder, the database itself', async () => {
      const exists = await run(['backup', good, '--db', dbFile]);
      expect(exists.code).to.equal(2);
      expect(exists.json()).to.include({ code: 'usage' });
      expect(exists.json().error).to.include('--force');
      const noFolder = await run(['backup', join(dir.path, 'nope', 'x.sqlite'), '--db', dbFile]);
      expect(noFolder.code).to.equal(2);
      const itself = await run(['backup', dbFile, '--db', dbFile, '--force']);
      expect(itself.code).to.equal(2);
      expect(statSync(dbFile).size).to.be.greaterThan(0);
    });

    it('a database that does not exist is not backed up (and not created)', async () => {
      const missing = join(dir.path, 'missing.sqlite');
      const r = await run(['backup', join(dir.path, 'x.sqlite'), '--db', missing]);
      expect(r.code).to.equal(1);
      expect(r.json().code).to.equal('backup_invalid');
      expect(existsSync(missing)).to.equal(false);
    });

    it('backups that are not sound: garbage, cut short, not mux1, from a newer release, missing', async () => {
      const garbage = join(dir.path, 'garbage.sqlite');
      writeFileSync(garbage, '<script>alert(1)</script>\n'.repeat(5000));
      const cut = join(dir.path, 'cut.sqlite');
      copyFileSync(good, cut);
      truncateSync(cut, Math.floor(statSync(good).size / 2));
      const other = join(dir.path, 'other.sqlite');
      const o = knexFactory({ client: 'sqlite3', connection: { filename: other }, useNullAsDefault: true });
      await o.schema.createTable('notes', (tb) => tb.increments('id'));
      await o.destroy();
      const newer = join(dir.path, 'newer.sqlite');
      copyFileSync(good, newer);
      const n = knexFactory({ client: 'sqlite3', connection: { filename: newer }, useNullAsDefault: true });
      await n('knex_migrations').insert({
        name: '999_from_the_future',
        batch: 9,
        migration_time: new Date(),
      });
      await n.destroy();

      const before = readFileSync(dbFile);
      for (const bad of [garbage, cut, other, newer, join(dir.path, 'absent.sqlite'), dir.path]) {
        const r = await run(['restore', bad, '--db', dbFile]);
        expect(r.code, bad).to.equal(1);
        expect(r.json().code, bad).to.equal('backup_invalid');
      }
      expect(readFileSync(dbFile).equals(before), 'the database is untouched').to.equal(true);
      const r = await run(['restore', newer, '--db', dbFile]);
      expect(r.json().error).to.include('999_from_the_future');
    });

    it('a restore where no database was yet creates it, with nothing kept aside', async () => {
      const fresh = join(dir.path, 'fresh', 'mux1.sqlite');
      mkdirSync(join(dir.path, 'fresh'));
      const r = await run(['restore', good, '--db', fresh]);
      expect(r.code, r.stdout).to.equal(0);
      expect(r.json().keptAside).to.equal(null);
      expect((await readDatabase(fresh)).users.size).to.equal((await readDatabase(good)).users.size);
    });

    it('PostgreSQL: says to use pg_dump / pg_restore, never printing the password', async () => {
      const url = 'postgres://mux1:s3cret-pass@db.example/mux1';
      const b = await run(['backup', join(dir.path, 'pg.dump'), '--db', url]);
      expect(b.code).to.equal(2);
      expect(b.json().code).to.equal('unsupported_database');
      expect(b.json().error).to.include('pg_dump').and.not.include('s3cret');
      const r = await run(['restore', join(dir.path, 'pg.dump'), '--db', url]);
      expect(r.json().code).to.equal('unsupported_database');
      expect(r.json().error).to.include('pg_restore').and.not.include('s3cret');
    });
  });
});
