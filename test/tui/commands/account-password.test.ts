import { expect } from 'chai';
import { join } from 'node:path';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { logIn, verifiedPerson, type Person } from '../../helpers/accounts.js';
import { runCli, tempDir } from './cli.js';

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

    const reset = await runCli(
      ['password', 'reset', '--email', p.email, '--code', code, '--password-stdin', '--json'],
      { env, input: 'a fresh cli password\n' },
    );
    expect(reset.code, reset.stdout + reset.stderr).to.equal(0);
    expect(reset.json()).to.include({ email: p.email, removed_file: true });
    expect((await whoami()).json().code).to.equal('not_logged_in');
    expect((await logIn(t.url, p.username, 'a fresh cli password')).status).to.equal(200);

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
    expect(r.stdout).to.match(/Next: mux1 password reset --email nobody@example.test --code CODE/);
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
    expect(badCode.json().error).to.match(/expected 6 digits/);

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
