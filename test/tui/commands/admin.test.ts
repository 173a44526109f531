import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { binRun, cleanEnv } from '../../helpers/cli.js';
import { newPerson, type Person } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';
import { api } from '../../helpers/server.js';

/*
 * The REST admin commands as child processes against a real server: an admin made with
 * `mux1 admin create` (the operator's way), signed in through `mux1 login`, acting on accounts
 * that signed up and verified by mail.
 */
describe('mux1 admin users|user|role|disable|enable|delete|reset|audit|stats against a real server', function () {
  this.timeout(120_000);
  const t = useServer({ mail: true, cliHome: true, env: { LOG_LEVEL: 'warn' } });
  let admin: Person;
  let target: Person;
  let other: Person;

  before(async () => {
    admin = newPerson('cliadmin');
    const made = await t.cli(
      ['admin', 'create', admin.username, '--email', admin.email, '--db', t.config.databaseUrl, '--json'],
      { input: admin.password, env: { SCRYPT_LOG_N: '10' } },
    );
    expect(made.code, made.stdout + made.stderr).to.equal(0);
    const login = await t.cliLogIn(admin);
    expect(login.code, login.stderr).to.equal(0);
    target = await t.verifiedPerson('clitarget');
    other = await t.verifiedPerson('cliother');
  });

  const json = async (args: string[], input?: string) => {
    const r = await t.cli([...args, '--json'], { input });
    return { code: r.code, body: r.json(), stderr: r.stderr };
  };
  const idOf = async (username: string) => Number((await t.db('users').where({ username }).first()).id);

  it('users lists accounts newest first with their state; --query is a prefix; --limit pages with --before', async () => {
    const all = await json(['admin', 'users']);
    expect(all.code, all.stderr).to.equal(0);
    const names = all.body.users.map((u: any) => u.username);
    expect(names.indexOf(other.username)).to.be.below(names.indexOf(target.username));
    const me = all.body.users.find((u: any) => u.username === admin.username);
    expect(me).to.include({ role: 'admin', verified: true, disabled: false, two_factor: false });

    const prefix = await json(['admin', 'users', '--query', 'CLITARG']);
    expect(prefix.body.users.map((u: any) => u.username)).to.deep.equal([target.username]);

    const first = await json(['admin', 'users', '--limit', '1']);
    expect(first.body.users).to.have.length(1);
    expect(first.body.next_before).to.be.a('number');
    const second = await json(['admin', 'users', '--limit', '1', '--before', String(first.body.next_before)]);
    expect(second.body.users[0].id).to.be.below(first.body.users[0].id);

    const table = await t.cli(['admin', 'users', '--limit', '2']);
    expect(table.code).to.equal(0);
    expect(table.stdout).to.match(/^ID +USERNAME +EMAIL +ROLE +STATE +2FA +CREATED +LAST LOGIN$/m);
    expect(table.stdout).to.match(/More: mux1 admin users --before \d+ --limit 2/);
  });

  it('users: LIKE wildcards are literal, and hostile flags are refused before sending', async () => {
    for (const q of ['%', '_', '\\', "' OR 1=1 --"]) {
      const r = await json(['admin', 'users', '--query', q]);
      expect(r.code, `${q}: ${r.stderr}`).to.equal(0);
      expect(r.body.users, q).to.deep.equal([]);
    }
    for (const args of [
      ['--query', 'x'.repeat(255)],
      ['--query', 'a\u0007b'],
      ['--limit', '0'],
      ['--limit', '101'],
      ['--limit', 'ten'],
      ['--before', '-5'],
      ['--before', '1e99'],
      ['--nope'],
    ]) {
      const r = await t.cli(['admin', 'users', ...args, '--json']);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(['usage', 'invalid_field']).to.include(r.json().code);
    }
  });

  it('user shows details by username and by id, the same account', async () => {
    const byName = await json(['admin', 'user', admin.username]);
    expect(byName.code, byName.stderr).to.equal(0);
    expect(byName.body.user.username).to.equal(admin.username);
    expect(byName.body.sessions.length).to.be.at.least(1);
    expect(byName.body.tokens).to.be.an('array');
    const byId = await json(['admin', 'user', String(byName.body.user.id)]);
    expect(byId.body.user).to.deep.equal(byName.body.user);
    const text = await t.cli(['admin', 'user', admin.username]);
    expect(text.stdout).to.match(/role admin, active, two-factor off/);
    expect(text.stdout).to.match(/Sessions \(\d+\):/);
  });

  it('unknown accounts are not_found; ids and names that are neither are usage errors', async () => {
    for (const ref of ['nobody-at-all', '999999999']) {
      const r = await json(['admin', 'user', ref]);
      expect(r.code, ref).to.equal(1);
      expect(r.body.code).to.equal('not_found');
    }
    for (const ref of ['0', '-1', '../../etc/passwd', '1;DROP', 'x'.repeat(5000), '9'.repeat(40), '']) {
      const r = await t.cli(['admin', 'disable', ref, '--yes', '--json']);
      expect(r.code, ref).to.equal(2);
    }
  });

  it('role, disable, delete and reset need --yes off a terminal: exit 2, nothing sent', async () => {
    for (const args of [
      ['role', target.username, 'moderator'],
      ['disable', target.username],
      ['delete', target.username],
      ['reset', target.username],
    ]) {
      const r = await t.cli(['admin', ...args, '--json'], { input: 'y\n' });
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.json().code).to.equal('confirmation_required');
      expect(r.json().error).to.include('--yes');
    }
    const row = await t.db('users').where({ username: target.username }).first();
    expect(row.role).to.equal('user');
    expect(row.disabled_at).to.equal(null);
  });

  it('role --yes changes the role; an unknown role is a usage error', async () => {
    const r = await json(['admin', 'role', target.username, 'moderator', '--yes']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.body.user.role).to.equal('moderator');
    expect(r.body.previous).to.equal('user');
    const bad = await t.cli(['admin', 'role', target.username, 'root', '--yes', '--json']);
    expect(bad.code).to.equal(2);
    const back = await json(['admin', 'role', String(await idOf(target.username)), 'user', '-y']);
    expect(back.body.user.role).to.equal('user');
  });

  it('disable ends sign-in (403 account_disabled after the right password); enable brings it back', async () => {
    const off = await json(['admin', 'disable', target.username, '--yes']);
    expect(off.code, off.stderr).to.equal(0);
    expect(off.body.user.disabled).to.equal(true);
    const refused = await api(t.url, 'POST', '/api/login', {
      username: target.username,
      password: target.password,
    });
    expect(refused.status).to.equal(403);
    expect(refused.body.code).to.equal('account_disabled');
    const on = await json(['admin', 'enable', target.username]);
    expect(on.code, on.stderr).to.equal(0);
    expect(on.body.user.disabled).to.equal(false);
    const ok = await api(t.url, 'POST', '/api/login', {
      username: target.username,
      password: target.password,
    });
    expect(ok.status).to.equal(200);
  });

  it('reset mails a reset code to the owner', async () => {
    const before = t.mail.codeCount(other.email);
    const r = await json(['admin', 'reset', other.username, '--yes']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.body.message).to.be.a('string');
    await t.mail.codeFor(other.email, { after: before });
  });

  it('the last admin cannot demote, disable or delete themselves: last_admin, exit 1', async () => {
    for (const args of [
      ['role', admin.username, 'user'],
      ['disable', admin.username],
      ['delete', admin.username],
    ]) {
      const r = await json(['admin', ...args, '--yes']);
      expect(r.code, args.join(' ')).to.equal(1);
      expect(r.body.code).to.equal('last_admin');
    }
    expect((await t.db('users').where({ username: admin.username }).first()).role).to.equal('admin');
  });

  it('a user who is not an admin is told so; a personal access token is refused before sending', async () => {
    const home = join(t.cliHome, 'plain-user');
    const env = { MUX1_CONFIG_DIR: home };
    const login = await t.cli(['login', '--username', other.username, '--password-stdin'], {
      input: other.password,
      env,
    });
    // The forced reset above signed `other` out and left the password as it was.
    expect(login.code, login.stderr).to.equal(0);
    const r = await t.cli(['admin', 'users', '--json'], { env });
    expect(r.code).to.equal(1);
    expect(r.json().code).to.equal('forbidden');
    expect(r.json().error).to.match(/your account is not an admin/);
    const human = await t.cli(['admin', 'users'], { env });
    expect(human.stderr).to.match(/your account is not an admin/);

    const token = await t.cli(['tokens', 'create', '--name', 'bot', '--scope', 'chat:read', '--json'], {
      env,
    });
    const pat = token.json().token;
    const withToken = await t.cli(['admin', 'users', '--json'], { env: { MUX1_TOKEN: pat } });
    expect(withToken.code).to.equal(2);
    expect(withToken.json().code).to.equal('token_not_allowed');
  });

  it('not logged in: not_logged_in, exit 1', async () => {
    const r = await t.cli(['admin', 'users', '--json'], {
      env: { MUX1_CONFIG_DIR: join(t.cliHome, 'nobody') },
    });
    expect(r.code).to.equal(1);
    expect(r.json().code).to.equal('not_logged_in');
  });

  it('delete --yes removes the account; it is not_found afterwards', async () => {
    const gone = await t.verifiedPerson('cligone');
    const r = await json(['admin', 'delete', gone.username, '--yes']);
    expect(r.code, r.stderr).to.equal(0);
    expect(await t.db('users').where({ username: gone.username }).first()).to.equal(undefined);
    const again = await json(['admin', 'user', gone.username]);
    expect(again.body.code).to.equal('not_found');
  });
  it('audit shows who did what, filters by account and type, pages; hostile filters are refused', async () => {
    const all = await json(['admin', 'audit', '--user', target.username, '--type', 'role_changed']);
    expect(all.code, all.stderr).to.equal(0);
    expect(all.body.events.length).to.be.at.least(2);
    for (const e of all.body.events) {
      expect(e).to.include({ type: 'role_changed', username: target.username, actor: admin.username });
    }
    expect(all.body.events.map((e: any) => e.detail)).to.include('user -> moderator');
    const one = await json(['admin', 'audit', '--limit', '1']);
    expect(one.body.events).to.have.length(1);
    const next = await json(['admin', 'audit', '--limit', '1', '--before', String(one.body.next_before)]);
    expect(next.body.events[0].id).to.be.below(one.body.events[0].id);
    const text = await t.cli(['admin', 'audit', '--user', String(await idOf(target.username))]);
    expect(text.code).to.equal(0);
    expect(text.stdout).to.match(new RegExp(`account_disabled +${target.username} +by ${admin.username}`));
    for (const args of [
      ['--type', "x' OR 1=1"],
      ['--type', 'A'.repeat(40)],
      ['--user', '../x'],
      ['--before', '0'],
      ['--limit', '1000'],
    ]) {
      const r = await t.cli(['admin', 'audit', ...args, '--json']);
      expect(r.code, args.join(' ')).to.equal(2);
    }
  });

  it('stats gives the days asked, oldest first, today last, and the totals', async () => {
    const r = await json(['admin', 'stats', '--days', '7']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.body.days).to.have.length(7);
    expect(r.body.days.at(-1).date).to.equal(new Date().toISOString().slice(0, 10));
    expect(r.body.days.reduce((n: number, d: any) => n + d.signups, 0)).to.be.at.least(2);
    expect(r.body.totals.admins).to.be.at.least(1);
    const text = await t.cli(['admin', 'stats', '--days', '2']);
    expect(text.stdout).to.match(/^DATE +SIGNUPS +VERIFIED +ACTIVE +LOGINS +FAILED +MESSAGES$/m);
    expect(text.stdout).to.match(/Users \d+ \(\d+ verified/);
    for (const days of ['0', '91', '-1', 'week']) {
      const bad = await t.cli(['admin', 'stats', '--days', days, '--json']);
      expect(bad.code, days).to.equal(2);
    }
  });
  /** The command on a real terminal (util-linux `script` gives it a pty), answering its question. */
  const onTerminal = (args: string[], answer: string) =>
    new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const command = [process.execPath, binRun, ...args].map((a) => `'${a}'`).join(' ');
      const child = spawn('script', ['-qfec', command, '/dev/null'], { env: cleanEnv(t.cliEnv) });
      let out = '';
      let answered = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no end on a terminal: ${out}`));
      }, 20_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (!answered && out.includes('[y/N]')) {
          answered = true;
          child.stdin.write(`${answer}\r`);
        }
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });

  it('on a terminal, role asks [y/N] first: n changes nothing, y does it', async () => {
    const no = await onTerminal(['admin', 'role', target.username, 'moderator'], 'n');
    expect(no.out).to.match(/Make clitarget\d+ \(id \d+\) a moderator \(now user\)\? \[y\/N\]/);
    expect(no.code, no.out).to.equal(1);
    expect(no.out).to.include('Cancelled; nothing changed');
    expect((await t.db('users').where({ username: target.username }).first()).role).to.equal('user');
    const yes = await onTerminal(['admin', 'role', target.username, 'moderator'], 'y');
    expect(yes.code, yes.out).to.equal(0);
    expect(yes.out).to.match(/is now moderator \(was user\)/);
    expect((await t.db('users').where({ username: target.username }).first()).role).to.equal('moderator');
    await json(['admin', 'role', target.username, 'user', '--yes']);
  });
});
