import { expect } from 'chai';
import { join } from 'node:path';
import { type Person } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

describe('mux1 password forgot|reset|change', () => {
  const t = useServer({ mail: true, cliHome: true });

  const login = (p: Person) => t.cliLogIn(p);
  const whoami = () => t.cli(['whoami', '--json']);

  it('forgot mails a code; reset sets the new password and drops the stored session', async function () {
    this.timeout(30_000);
    const p = await t.verifiedPerson('clireset');
    expect((await login(p)).code).to.equal(0);
    const before = t.mail.codeCount(p.email);

    const forgot = await t.cli(['password', 'forgot', '--email', p.email, '--json']);
    expect(forgot.code, forgot.stderr).to.equal(0);
    expect(forgot.json()).to.include({ server: t.url, email: p.email });
    expect(forgot.json().message).to.be.a('string');
    const code = await t.mail.codeFor(p.email, { after: before });

    // The code and the password both from stdin: neither shows in ps nor in shell history.
    const reset = await t.cli(
      ['password', 'reset', '--email', p.email, '--code-stdin', '--password-stdin', '--json'],
      { input: `${code}\na fresh cli password\n` },
    );
    expect(reset.code, reset.stdout + reset.stderr).to.equal(0);
    expect(reset.json()).to.include({ email: p.email, removed_file: true });
    expect((await whoami()).json().code).to.equal('not_logged_in');
    expect((await t.logIn(p.username, 'a fresh cli password')).status).to.equal(200);

    // --code still works, for scripts written against it.
    const again = await t.cli(['password', 'reset', '--email', p.email, '--code', code, '--password-stdin'], {
      input: 'another password here',
    });
    expect(again.code).to.equal(1);
    expect(again.stdout).to.equal('');
    expect(again.stderr).to.match(/^Error: the code is wrong, expired or already used\n$/);
  });

  it('forgot prints the next step for people', async () => {
    const r = await t.cli(['password', 'forgot', '--email', 'nobody@example.test']);
    expect(r.code, r.stderr).to.equal(0);
    // The exact next command: the address just used and the non-default server, no code.
    expect(r.stdout).to.include(`Next: mux1 password reset --email nobody@example.test --server ${t.url}\n`);
  });

  it('change reads the current and new password from two stdin lines and keeps this session', async () => {
    const p = await t.verifiedPerson('clichange');
    expect((await login(p)).code).to.equal(0);
    const other = (await t.logIn(p.username, p.password)).body.token;

    const r = await t.cli(['password', 'change', '--password-stdin', '--json'], {
      input: `${p.password}\nchanged from the cli\n`,
    });
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.json()).to.include({ server: t.url, revoked_sessions: 1 });
    expect((await whoami()).json().user.username).to.equal(p.username);
    expect((await t.api('GET', '/api/me', undefined, { authorization: `Bearer ${other}` })).status).to.equal(
      401,
    );
    expect((await t.logIn(p.username, 'changed from the cli')).status).to.equal(200);

    const wrong = await t.cli(['password', 'change', '--password-stdin', '--json'], {
      input: 'not the current one\nwhatever new one\n',
    });
    expect(wrong.code).to.equal(1);
    expect(wrong.json()).to.deep.include({ code: 'invalid_credentials', field: 'current_password' });

    const weak = await t.cli(['password', 'change', '--password-stdin', '--json'], {
      input: 'changed from the cli\npassword123\n',
    });
    expect(weak.code).to.equal(1);
    expect(weak.json()).to.include({ code: 'weak_password' });
  });

  it('usage errors exit 2: one stdin line for change, a bad code, no terminal', async () => {
    const p = await t.verifiedPerson('cliusage');
    expect((await login(p)).code).to.equal(0);
    const oneLine = await t.cli(['password', 'change', '--password-stdin', '--json'], {
      input: `${p.password}\n`,
    });
    expect(oneLine.code).to.equal(2);
    expect(oneLine.json().error).to.match(/expected 2 lines: the current password, then the new one/);

    const badCode = await t.cli(['password', 'reset', '--email', p.email, '--code', '12x', '--json'], {});
    expect(badCode.code).to.equal(2);
    expect(badCode.json()).to.include({ code: 'invalid_field', field: 'code' });
    expect(badCode.json().error).to.match(/code must be 6 digits/);

    const reset = (args: string[], input?: string) =>
      t.cli(['password', 'reset', '--email', p.email, ...args, '--json'], { input });
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

    const noTerminal = await t.cli(['password', 'change', '--json']);
    expect(noTerminal.code).to.equal(2);
    expect(noTerminal.json()).to.include({ code: 'no_terminal' });

    const flag = await t.cli(['password', 'change', '--password', 'x', '--json']);
    expect(flag.code).to.equal(2);
    expect(flag.json().error).to.match(/--password-stdin/);
  });

  it('change without a session exits 1 before asking anything', async () => {
    const r = await t.cli(['password', 'change', '--json'], {
      env: { MUX1_CONFIG_DIR: join(t.cliHome, 'empty') },
    });
    expect(r.code).to.equal(1);
    expect(r.json().code).to.equal('not_logged_in');
  });

  it('every command has examples in its help', async () => {
    for (const command of ['forgot', 'reset', 'change']) {
      const r = await t.cli(['password', command, '--help']);
      expect(r.code).to.equal(0);
      expect(r.stdout, command).to.include('EXAMPLES');
      expect(r.stdout, command).to.include('--json');
    }
  });
});
