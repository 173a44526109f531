import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPerson } from '../../helpers/accounts.js';
import { runCli, tempDir } from '../../helpers/cli.js';
import { useServer } from '../../helpers/fixture.js';

/*
 * `mux1 admin create` and `mux1 admin grant`: straight in the database of a running server (as an
 * operator on its machine would), then proven through that server: the account signs in.
 */
describe('mux1 admin create|grant: accounts and roles straight in the database', function () {
  this.timeout(90_000);
  const t = useServer({ mail: true, cliHome: true, env: { LOG_LEVEL: 'warn' } });
  const db = () => t.config.databaseUrl;
  // The server's own KDF setting, as `mux1 server` would read it: the cheap one of the tests.
  const env = { SCRYPT_LOG_N: '10' };
  const create = (username: string, email: string, password: string, extra: string[] = []) =>
    t.cli(['admin', 'create', username, '--email', email, '--db', db(), '--json', ...extra], {
      input: `${password}\n`,
      env,
    });
  const grant = (username: string, role: string, extra: string[] = []) =>
    t.cli(['admin', 'grant', username, role, '--db', db(), '--json', ...extra], { env });
  const roleOf = async (username: string) => (await t.db('users').where({ username }).first())?.role;

  it('create makes a verified admin that signs in to the running server at once', async () => {
    const p = newPerson('opadmin');
    const r = await create(p.username, p.email, p.password);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.json().user).to.include({ username: p.username, email: p.email, role: 'admin' });
    const row = await t.db('users').where({ username: p.username }).first();
    expect(row.email_verified_at).to.not.equal(null);
    expect(row.password_hash).to.not.include(p.password);
    const login = await t.cliLogIn(p);
    expect(login.code, login.stderr).to.equal(0);
    const who = await t.cli(['whoami', '--json']);
    expect(who.json().user.username).to.equal(p.username);
    const events = await t.db('audit_events').where({ user_id: row.id }).select('type', 'detail');
    expect(events).to.deep.include({ type: 'signup', detail: 'created verified as admin' });
  });

  it('create --role user; the server password rules hold (common, too short, equal to the name)', async () => {
    const p = newPerson('opuser');
    const made = await create(p.username, p.email, p.password, ['--role', 'user']);
    expect(made.code, made.stdout).to.equal(0);
    expect(await roleOf(p.username)).to.equal('user');

    const q = newPerson('opweakname');
    for (const [password, code] of [
      ['password', 'weak_password'],
      ['short', 'invalid_field'],
      ['x'.repeat(600), 'invalid_field'],
    ]) {
      const r = await create(q.username, q.email, password!);
      expect(r.code, r.stdout).to.equal(2);
      expect(r.json().code).to.equal(code);
    }
    const same = await create(q.username, q.email, q.username);
    expect(same.code, same.stdout).to.equal(2);
    expect(same.json().code).to.equal('weak_password');
    expect(await roleOf(q.username)).to.equal(undefined);
  });

  it('create refuses a taken username or email, and an empty or missing password', async () => {
    const p = newPerson('optaken');
    expect((await create(p.username, p.email, p.password)).code).to.equal(0);
    const name = await create(p.username, 'other@example.test', p.password);
    expect(name.code).to.equal(1);
    expect(name.json().code).to.equal('username_taken');
    const email = await create(newPerson('opt').username, p.email, p.password);
    expect(email.code).to.equal(1);
    expect(email.json().code).to.equal('email_taken');
    const empty = await t.cli(
      ['admin', 'create', 'nopass', '--email', 'n@example.test', '--db', db(), '--json'],
      {
        input: '',
      },
    );
    expect(empty.code).to.equal(2);
    expect(empty.json().error).to.match(/empty/);
    expect(await roleOf('nopass')).to.equal(undefined);
  });

  it('create: hostile usernames and emails are usage errors, nothing written', async () => {
    const before = await t.db('users').count({ n: '*' }).first();
    for (const [username, email] of [
      ["a'; DROP TABLE users; --", 'x@example.test'],
      ['x'.repeat(5000), 'x@example.test'],
      ['ab', 'x@example.test'],
      ['bad\nname', 'x@example.test'],
      ['goodname', 'not-an-email'],
      ['goodname', `${'e'.repeat(300)}@example.test`],
      ['goodname', 'a@b.c\u202e\t'],
    ]) {
      const r = await create(username!, email!, 'tulip-orbit-lantern-9');
      expect(r.code, `${username} ${email}: ${r.stdout}`).to.equal(2);
      expect(['invalid_field', 'usage']).to.include(r.json().code);
    }
    expect(await t.db('users').count({ n: '*' }).first()).to.deep.equal(before);
  });

  it('grant changes a role (audited), and refuses to demote the last enabled admin', async () => {
    const admin = newPerson('oplast');
    const other = newPerson('opother');
    // Only this suite's admins: earlier cases made one too, so demote those first.
    await t.db('users').where({ role: 'admin' }).update({ role: 'user' });
    expect((await create(admin.username, admin.email, admin.password)).code).to.equal(0);
    expect((await create(other.username, other.email, other.password, ['--role', 'user'])).code).to.equal(0);

    const mod = await grant(other.username, 'moderator');
    expect(mod.code, mod.stdout).to.equal(0);
    expect(mod.json()).to.include({ previous: 'user', changed: true });
    expect(await roleOf(other.username)).to.equal('moderator');
    const again = await grant(other.username, 'moderator');
    expect(again.json()).to.include({ changed: false });

    const last = await grant(admin.username, 'user');
    expect(last.code, last.stdout).to.equal(1);
    expect(last.json().code).to.equal('last_admin');
    expect(await roleOf(admin.username)).to.equal('admin');

    // A disabled admin is no admin for this rule: it cannot run the server.
    expect((await grant(other.username, 'admin')).code).to.equal(0);
    await t.db('users').where({ username: other.username }).update({ disabled_at: Date.now() });
    expect((await grant(admin.username, 'user')).json().code).to.equal('last_admin');
    await t.db('users').where({ username: other.username }).update({ disabled_at: null });
    const demoted = await grant(admin.username, 'user', []);
    expect(demoted.code, demoted.stdout).to.equal(0);
    expect(await roleOf(admin.username)).to.equal('user');

    const row = await t.db('users').where({ username: admin.username }).first();
    const events = await t
      .db('audit_events')
      .where({ user_id: row.id, type: 'role_changed' })
      .select('detail');
    expect(events.map((e: any) => e.detail)).to.include('admin -> user');
  });

  it('grant: unknown account, unknown role, hostile names', async () => {
    const none = await grant('nobody-here', 'admin');
    expect(none.code).to.equal(1);
    expect(none.json().code).to.equal('not_found');
    const role = await grant('nobody-here', 'root');
    expect(role.code).to.equal(2);
    expect(role.json().code).to.equal('usage');
    for (const name of ["x' OR '1'='1", '%', '_'.repeat(40), 'a'.repeat(100_000)]) {
      const r = await grant(name, 'admin');
      expect(r.code, r.stdout).to.equal(2);
      expect(r.json().code).to.equal('invalid_field');
    }
    const missing = await t.cli(['admin', 'grant', '--db', db(), '--json']);
    expect(missing.code).to.equal(2);
  });

  describe('databases it cannot use', () => {
    let dir: { path: string; remove(): void };
    before(() => (dir = tempDir('mux1-admin-db-')));
    after(() => dir?.remove());

    it('a file that is not a database: database_error, exit 1', async () => {
      const garbage = join(dir.path, 'garbage.sqlite');
      writeFileSync(garbage, 'not a database at all '.repeat(200));
      const r = await runCli(['admin', 'grant', 'alice', 'admin', '--db', garbage, '--json']);
      expect(r.code).to.equal(1);
      expect(r.json().code).to.equal('database_error');
    });

    it('a database without the migrations: says to run mux1 db migrate', async () => {
      const fresh = join(dir.path, 'fresh.sqlite');
      const r = await runCli(['admin', 'grant', 'alice', 'admin', '--db', fresh, '--json']);
      expect(r.code).to.equal(1);
      expect(r.json().code).to.equal('database_not_migrated');
      expect(r.json().error).to.include('mux1 db migrate');
    });
  });
});
