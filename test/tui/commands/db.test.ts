import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../../helpers/cli.js';

describe('mux1 db: migrations of a temp database', () => {
  let dir: { path: string; remove(): void };
  let dbFile: string;
  // DATABASE_URL set to something else proves --db wins over the environment, as for `mux1 server`.
  const env = () => ({ DATABASE_URL: join(dir.path, 'not-this-one.sqlite') });

  before(() => {
    dir = tempDir('mux1-db-');
    dbFile = join(dir.path, 'data', 'mux1.sqlite');
  });
  after(() => dir?.remove());

  it('status of a new database: everything pending', async () => {
    const r = await runCli(['db', 'status', '--db', dbFile, '--json'], { env: env() });
    expect(r.code, r.stderr).to.equal(0);
    const body = r.json();
    expect(body.done).to.deep.equal([]);
    expect(body.pending).to.include('001_initial');
    expect(body.database).to.equal(dbFile);
  });

  it('migrate applies them all, and a second run changes nothing', async () => {
    const first = await runCli(['db', 'migrate', '--db', dbFile, '--json'], { env: env() });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.json().applied).to.include('001_initial');
    expect(first.json().applied).to.deep.equal(first.json().done);

    const again = await runCli(['db', 'migrate', '--db', dbFile, '--json'], { env: env() });
    expect(again.json().applied).to.deep.equal([]);

    const status = await runCli(['db', 'status', '--db', dbFile], { env: env() });
    expect(status.code).to.equal(0);
    expect(status.stdout).to.match(/applied\s+001_initial/);
    expect(status.stdout).to.match(/up to date/);
    expect(existsSync(join(dir.path, 'not-this-one.sqlite'))).to.equal(false);
  });

  it('rollback reverts the last batch, and migrate brings it back', async () => {
    const rollback = await runCli(['db', 'rollback', '--db', dbFile, '--json'], { env: env() });
    expect(rollback.code, rollback.stderr).to.equal(0);
    expect(rollback.json().reverted).to.include('001_initial');
    expect(rollback.json().pending).to.include('001_initial');

    const nothing = await runCli(['db', 'rollback', '--db', dbFile, '--json'], { env: env() });
    expect(nothing.json().reverted).to.deep.equal([]);

    const migrate = await runCli(['db', 'migrate', '--db', dbFile, '--json'], { env: env() });
    expect(migrate.json().pending).to.equal(undefined);
    expect(migrate.json().applied).to.include('001_initial');
  });

  it('reads DATABASE_URL when --db is absent', async () => {
    const r = await runCli(['db', 'status', '--json'], { env: { DATABASE_URL: dbFile } });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json().pending).to.deep.equal([]);
  });

  it('a database it cannot open: exit 1, database_error, one line', async () => {
    const notADb = join(dir.path, 'garbage.sqlite');
    writeFileSync(notADb, 'this is not a SQLite file, not even close'.repeat(100));
    const r = await runCli(['db', 'status', '--db', notADb, '--json'], {});
    expect(r.code).to.equal(1);
    expect(r.json().code).to.equal('database_error');
  });

  it('a bad --config file is a usage error naming it', async () => {
    const r = await runCli(['db', 'status', '--config', join(dir.path, 'missing.json'), '--json'], {});
    expect(r.code).to.equal(2);
    expect(r.json()).to.include({ code: 'invalid_config' });
    expect(r.json().error).to.include('missing.json');
  });
});
