import { expect } from 'chai';
import { join } from 'node:path';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { logIn, verifiedPerson, type Person } from '../../helpers/accounts.js';
import { runCli, tempDir } from '../../helpers/cli.js';

describe('mux1 password forgot|reset|change', () => {
  let smtp: TestSmtp;
  let t: TestServer;
  let home: { path: string; remove(): void };
  let env: Record<string, string>;

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url } });
    home = tempDir();
    env = { MUX1_SERVER: t.url, MUX1_CONFIG_DIR: join(home.path, 'config') };
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
    home?.remove();
  });

  const login = (p: Person) =>
    runCli(['login', '--username', p.username, '--password-stdin'], { env, input: p.password });
  const whoami = () => runCli(['whoami', '--json'], { env });

  it('forgot mails a code; reset sets the new password and drops the stored session', async function () {
    this.timeout(30_000);
    const p = await verifiedPerson(t.url, smtp, 'clireset');
    expect((await login(p)).code).to.equal(0);
    const before = smtp.codeCount(p.email);

    const forgot = await runCli(['password', 'forgot', '--email', p.email, '--json'], { env });
    expect(forgot.code, forgot.stderr).to.equal(0);
    expect(forgot.json()).to.include({ server: t.url, email: p.email });
    expect(forgot.json().message).to.be.a('string');
    const code = await smtp.codeFor(p.email, { after: before });

    // The code and the password both from stdin: neither shows in ps nor in shell history.
    const reset = await runCli(
      ['password', 'reset', '--email', p.email, '--code-stdin', '--password-stdin', '--json'],
      { env, input: `${code}\na fresh cli password\n` },
    );
    expect(reset.code, reset.stdout + reset.stderr).to.equal(0);
    expect(reset.json()).to.include({ email: p.email, removed_file: true });
    expect((await whoami()).json().code).to.equal('not_logged_in');
    expect((await logIn(t.url, p.username, 'a fresh cli password')).status).to.equal(200);

    // --code still works, for scripts written against it.
    const again = await runCli(
      ['password', 'reset', '--email', p.email, '--code', code, '--password-stdin'],
      {
        env,
        input: 'another password here',
      },
    );
    expect(again.code).to.equal(1);
    expect(again.stdout).to.equal('');
    expect(again.stderr).to.match(/^Error: the code is wrong, expired or already used\n$/);
  });

  it('forgot prints the next step for people', async () => {
    const r = await runCli(['password', 'forgot', '--email', 'nobody@example.test'], { env });
    expect(r.code, r.stderr).to.equal(0);
    // The exact next command: the address just used and the non-default server, no code.
    expect(r.stdout).to.include(`Next: mux1 password reset --email nobody@example.test --server ${t.url}\n`);
  });

  it('change reads the current and new password from two stdin lines and keeps this session', async () => {
    const p = await verifiedPerson(t.url, smtp, 'clichange');
    expect((await login(p)).code).to.equal(0);
    const other = (await logIn(t.url, p.username, p.password)).body.token;

    const r = await runCli(['password', 'change', '--password-stdin', '--json'], {
      env,
      input: `${p.password}\nchanged from the cli\n`,
    });
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.json()).to.include({ server: t.url, revoked_sessions: 1 });
    expect((await whoami()).json().user.username).to.equal(p.username);
    expect(
      (await api(t.url, 'GET', '/api/me', undefined, { authorization: `Bearer ${other}` })).status,
    ).to.equal(401);
    expect((await logIn(t.url, p.username, 'changed from the cli')).status).to.equal(200);

    const wrong = await runCli(['password', 'change', '--password-stdin', '--json'], {
      env,
      input: 'not the current one\nwhatever new one\n',
    });
    expect(wrong.code).to.equal(1);
    expect(wrong.json()).to.deep.include({ code: 'invalid_credentials', field: 'current_password' });

    const weak = await runCli(['password', 'change', '--password-stdin', '--json'], {
      env,
      input: 'changed from the cli\npassword123\n',
    });
    expect(weak.code).to.equal(1);
    expect(weak.json()).to.include({ code: 'weak_password' });
  });

  it('usage errors exit 2: one stdin line for change, a bad code, no terminal', async () => {
    const p = await verifiedPerson(t.url, smtp, 'cliusage');
    expect((await login(p)).code).to.equal(0);
    const oneLine = await runCli(['password', 'change', '--password-stdin', '--json'], {
      env,
      input: `${p.password}\n`,
    });
    expect(oneLine.code).to.equal(2);
    expect(oneLine.json().error).to.match(/expected 2 lines: the current password, then the new one/);

    const badCode = await runCli(['password', 'reset', '--email', p.email, '--code', '12x', '--json'], {
      env,
    });
    expect(badCode.code).to.equal(2);
    expect(badCode.json()).to.include({ code: 'invalid_field', field: 'code' });
    expect(badCode.json().error).to.match(/code must be 6 digits/);

    const reset = (args: string[], input?: string) =>
      runCli(['password', 'reset', '--email', p.email, ...args, '--json'], { env, input });
    const badLine = await reset(['--code-stdin', '--password-stdin'], '12345x\nsome new password\n');
    expect(badLine.code).to.equal(2);
    expect(badLine.json()).to.include({ code: 'invalid_field', field: 'code' });
    const shortLine = await reset(['--code-stdin', '--password-stdin'], '123456\n');
    expect(shortLine.code).to.equal(2);
    expect(shortLine.json().error).to.match(/expected 2 lines: the code, then the new password/);
    const shortPassword = await reset(['--code-stdin', '--password-stdin'], '123456\nshort\n');
    expect(shortPassword.code).to.equal(2);
    expect(shortPassword.json()).to.include({ code: 'invalid_field', field: 'password' });
    const both = await reset(['--code', '123456', '--code-stdin'], '123456\n');
    expect(both.code).to.equal(2);
    expect(both.json().error).to.match(/--code/);
    // No terminal to ask for the code, nor for the password once the code came from stdin.
    for (const [args, input] of [
      [[], undefined],
      [['--code-stdin'], '123456\n'],
    ] as const) {
      const r = await reset([...args], input);
      expect(r.code, r.stdout).to.equal(2);
      expect(r.json().code).to.equal('no_terminal');
    }

    const noTerminal = await runCli(['password', 'change', '--json'], { env });
    expect(noTerminal.code).to.equal(2);
    expect(noTerminal.json()).to.include({ code: 'no_terminal' });

    const flag = await runCli(['password', 'change', '--password', 'x', '--json'], { env });
    expect(flag.code).to.equal(2);
    expect(flag.json().error).to.match(/--password-stdin/);
  });

  it('change without a session exits 1 before asking anything', async () => {
    const r = await runCli(['password', 'change', '--json'], {
      env: { ...env, MUX1_CONFIG_DIR: join(home.path, 'empty') },
    });
    expect(r.code).to.equal(1);
    expect(r.json().code).to.equal('not_logged_in');
  });

  it('every command has examples in its help', async () => {
    for (const command of ['forgot', 'reset', 'change']) {
      const r = await runCli(['password', command, '--help'], { env });
      expect(r.code).to.equal(0);
      expect(r.stdout, command).to.include('EXAMPLES');
      expect(r.stdout, command).to.include('--json');
    }
  });
});
