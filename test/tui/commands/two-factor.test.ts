import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { verifiedPerson, type Person } from '../../helpers/accounts.js';
import { decodeDrawnQr, totpAt } from '../../helpers/two-factor.js';
import { binRun, cleanEnv, repoRoot, runCli, tempDir } from '../../helpers/cli.js';

const STEP = 30_000;

/**
 * `mux1 2fa enable --password-stdin --code-stdin --json` as a script drives it: the password
 * first, then - once the setup is on standard error - the code computed from the secret shown.
 */
function enableByPipe(
  env: Record<string, string>,
  password: string,
  codeFor: (secret: string) => string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [binRun, '2fa', 'enable', '--password-stdin', '--code-stdin', '--json'],
      { cwd: repoRoot, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`2fa enable did not finish\n${stdout}\n${stderr}`));
    }, 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const secret = /Secret: ([A-Z2-7]+)\n/.exec(stderr)?.[1];
      if (secret && !sent) {
        sent = true;
        child.stdin.end(codeFor(secret) + '\n');
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.write(password + '\n');
  });
}

describe('mux1 2fa status|enable|disable|backup-codes, and login with a second factor', function () {
  this.timeout(60_000);
  let smtp: TestSmtp;
  let t: TestServer;
  let home: { path: string; remove(): void };
  let env: Record<string, string>;
  // The server's clock, moved by hand: each login gets a time step no other login used.
  const clock = manualClock(Date.now());

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url }, overrides: { clock } });
    home = tempDir();
    env = { MUX1_SERVER: t.url, MUX1_CONFIG_DIR: join(home.path, 'config') };
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
    home?.remove();
  });

  const loginWith = (p: Person, input: string, extra: string[] = []) =>
    runCli(['login', '--username', p.username, '--password-stdin', ...extra], { env, input });

  it('turns it on from a script: the QR code on stderr decodes to the URI, the backup codes come once', async () => {
    const p = await verifiedPerson(t.url, smtp, 'cli2fa');
    expect((await loginWith(p, p.password)).code).to.equal(0);
    const off = await runCli(['2fa', 'status', '--json'], { env });
    expect(off.json()).to.deep.include({ enabled: false, backup_codes_left: 0 });

    const run = await enableByPipe(env, p.password, (secret) => totpAt(secret, clock.now()));
    expect(run.code, run.stderr).to.equal(0);
    const result = JSON.parse(run.stdout);
    expect(result.backup_codes).to.have.length(10);
    expect(result.otpauth_url).to.include(`secret=${result.secret}`);
    // What a phone would read from the terminal is the URI itself.
    expect(decodeDrawnQr(run.stderr)).to.equal(result.otpauth_url);
    expect(run.stderr).to.include(`Or add it by hand: ${result.otpauth_url}`);

    const on = await runCli(['2fa', 'status', '--json'], { env });
    expect(on.json()).to.deep.include({ enabled: true, backup_codes_left: 10 });

    // Login: the password, then the code, one line each.
    clock.advance(STEP);
    const login = await loginWith(p, `${p.password}\n${totpAt(result.secret, clock.now())}\n`, [
      '--code-stdin',
      '--json',
    ]);
    expect(login.code, login.stderr).to.equal(0);
    expect(login.json().user.username).to.equal(p.username);
    expect((await runCli(['whoami', '--json'], { env })).json().user.username).to.equal(p.username);

    // A backup code in place of the app's code, typed in capitals with spaces.
    const backup = result.backup_codes[0].toUpperCase().replace(/-/g, ' ');
    expect((await loginWith(p, `${p.password}\n${backup}\n`, ['--code-stdin'])).code).to.equal(0);
    // Used: refused the second time, as the server words it.
    const again = await loginWith(p, `${p.password}\n${backup}\n`, ['--code-stdin', '--json']);
    expect(again.code).to.equal(1);
    expect(again.json().code).to.equal('invalid_code');

    // Without a terminal and without --code-stdin, it says how to pass the code (exit 2).
    const noCode = await loginWith(p, p.password, ['--json']);
    expect(noCode.code).to.equal(2);
    expect(noCode.json().code).to.equal('no_terminal');
    expect(noCode.json().error).to.include('--code-stdin');

    // New backup codes with the password and a code; the old ones stop working.
    clock.advance(STEP);
    const fresh = await runCli(['2fa', 'backup-codes', '--password-stdin', '--code-stdin', '--json'], {
      env,
      input: `${p.password}\n${totpAt(result.secret, clock.now())}\n`,
    });
    expect(fresh.code, fresh.stderr).to.equal(0);
    expect(fresh.json().backup_codes).to.have.length(10);
    const old = await loginWith(p, `${p.password}\n${result.backup_codes[1]}\n`, ['--code-stdin', '--json']);
    expect(old.json().code).to.equal('invalid_code');

    // Off, with the password and one of the new backup codes.
    const disable = await runCli(['2fa', 'disable', '--password-stdin', '--code-stdin', '--json'], {
      env,
      input: `${p.password}\n${fresh.json().backup_codes[0]}\n`,
    });
    expect(disable.code, disable.stderr).to.equal(0);
    expect((await runCli(['2fa', 'status', '--json'], { env })).json().enabled).to.equal(false);
    // The password alone logs in again; an extra code line is not needed.
    expect((await loginWith(p, p.password, ['--code-stdin'])).code).to.equal(0);
  });

  it('refuses a malformed code before sending it, and a wrong one as the server does', async () => {
    const p = await verifiedPerson(t.url, smtp, 'cli2fabad');
    expect((await loginWith(p, p.password)).code).to.equal(0);
    for (const bad of ['12345', 'abc', 'x'.repeat(5000), '12 34 56 78', "'; DROP TABLE users; --"]) {
      const res = await runCli(['2fa', 'disable', '--password-stdin', '--code-stdin', '--json'], {
        env,
        input: `${p.password}\n${bad}\n`,
      });
      expect(res.code, bad.slice(0, 20)).to.equal(2);
      expect(res.json().code).to.equal('invalid_field');
    }
    // Well formed but off: the server's answer.
    const off = await runCli(['2fa', 'disable', '--password-stdin', '--code-stdin', '--json'], {
      env,
      input: `${p.password}\n123456\n`,
    });
    expect(off.code).to.equal(1);
    expect(off.json().code).to.equal('two_factor_off');

    // A wrong first code: the setup stays pending and nothing is turned on.
    const run = await enableByPipe(env, p.password, (secret) =>
      String((Number(totpAt(secret, clock.now())) + 1) % 1_000_000).padStart(6, '0'),
    );
    expect(run.code).to.equal(1);
    expect(JSON.parse(run.stdout).code).to.equal('invalid_code');
    expect((await runCli(['2fa', 'status', '--json'], { env })).json().enabled).to.equal(false);

    // Missing lines and a terminal-less prompt say what to do.
    const short = await runCli(['2fa', 'backup-codes', '--password-stdin', '--code-stdin', '--json'], {
      env,
      input: p.password,
    });
    expect(short.code).to.equal(2);
    const prompt = await runCli(['2fa', 'enable', '--json'], { env });
    expect(prompt.code).to.equal(2);
    expect(prompt.json().code).to.equal('no_terminal');
  });

  it('needs a session', async () => {
    const res = await runCli(['2fa', 'status', '--json'], {
      env: { ...env, MUX1_CONFIG_DIR: join(home.path, 'nobody') },
    });
    expect(res.code).to.equal(1);
    expect(res.json().code).to.equal('not_logged_in');
  });
});
