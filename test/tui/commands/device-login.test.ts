import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { canOpenBrowser } from '../../../tui/client/device-login.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { decodeDrawnQr } from '../../helpers/two-factor.js';
import { canRunOnTerminal, readAll, runCli, runOnTerminal, tempDir } from '../../helpers/cli.js';
import { startLoginWeb, USER_CODE } from '../../helpers/device-login.js';

/**
 * `mux1 login --web` as a child process: once it shows a code, `decide` approves or denies it over
 * REST the way the /device page does; returns how the command ended.
 */
async function loginWeb(
  env: Record<string, string>,
  decide: (userCode: string, output: string) => Promise<void>,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startLoginWeb(env, args);
  const shown = await Promise.race([run.shown, run.done.then((r) => Promise.reject(new Error(r.stderr)))]);
  try {
    await decide(shown.userCode, shown.output);
  } catch (err) {
    run.kill();
    throw err;
  }
  return run.done;
}

describe('mux1 login --web (device login)', function () {
  this.timeout(90_000);
  const t = useServer({ env: { ...MANY_SIGNUPS } });
  let home: { path: string; remove(): void };
  let env: Record<string, string>;

  beforeEach(() => {
    home = tempDir();
    env = { MUX1_SERVER: t.url, MUX1_CONFIG_DIR: join(home.path, 'config') };
  });
  afterEach(() => home.remove());

  it('prints the code, the page and a QR of the complete URL; once approved, whoami works', async () => {
    const p = await t.chatPerson('webcli');
    let qr: string | undefined;
    const done = await loginWeb(env, async (userCode, output) => {
      expect(output).to.include(`${t.url}/device`);
      qr = decodeDrawnQr(output);
      const ok = await t.as(p.token)('POST', '/api/device/approve', { user_code: userCode, approve: true });
      expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    });
    expect(done.code, done.stderr).to.equal(0);
    const userCode = USER_CODE.exec(done.stdout)![1];
    expect(qr, 'the QR code holds the complete URL').to.equal(`${t.url}/device?code=${userCode}`);
    expect(done.stdout).to.include(`Logged in as ${p.username}.`);
    expect(done.stdout).to.match(/Session saved for/);
    // Not a TTY: no browser was tried.
    expect(done.stdout).not.to.include('Opened a browser');

    const whoami = await runCli(['whoami', '--json'], { env });
    expect(whoami.code, whoami.stderr).to.equal(0);
    expect(whoami.json().user.username).to.equal(p.username);
    // The token is in the credential file, never in the output.
    const stored = readAll(join(home.path, 'config'));
    const token = /"token"\s*:\s*"([^"]+)"/.exec(stored)?.[1];
    expect(token).to.be.a('string');
    expect(done.stdout + done.stderr).not.to.include(token!);
    // The session is the terminal's, named after it.
    const sessions = await t.as(p.token)('GET', '/api/sessions');
    expect(sessions.body.sessions.map((s: { user_agent: string }) => s.user_agent)).to.satisfy(
      (agents: string[]) => agents.some((a) => /^mux1 CLI on .* \(device login\)$/.test(a ?? '')),
    );
  });

  it('with --json: the instructions on stderr, one JSON result on stdout', async () => {
    const p = await t.chatPerson('webjson');
    const done = await loginWeb(
      env,
      async (userCode) => {
        await t.as(p.token)('POST', '/api/device/approve', { user_code: userCode, approve: true });
      },
      ['--json'],
    );
    expect(done.code, done.stderr).to.equal(0);
    expect(done.stderr).to.match(USER_CODE);
    const lines = done.stdout.split('\n').filter(Boolean);
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0]!).user.username).to.equal(p.username);
  });

  it('denied in the browser: exits 1 saying so, and saves nothing', async () => {
    const p = await t.chatPerson('webdeny');
    const done = await loginWeb(env, async (userCode) => {
      await t.as(p.token)('POST', '/api/device/approve', { user_code: userCode, approve: false });
    });
    expect(done.code).to.equal(1);
    expect(done.stderr).to.include('denied');
    expect(existsSync(join(home.path, 'config'))).to.equal(false);
  });

  it('refuses --web together with --username or --password-stdin, before asking the server', async () => {
    for (const args of [
      ['login', '--web', '--username', 'someone'],
      ['login', '--web', '--password-stdin'],
      ['login'],
    ]) {
      const res = await runCli(args, { env });
      expect(res.code, args.join(' ')).to.equal(2);
      expect(res.stderr, args.join(' ')).to.match(/--web|--username/);
    }
  });

  it('decides when to open a browser: a display, a terminal, and no CI', () => {
    const linux = process.platform === 'linux';
    if (linux) {
      expect(canOpenBrowser({ DISPLAY: ':0' }, true)).to.equal(true);
      expect(canOpenBrowser({ WAYLAND_DISPLAY: 'wayland-0' }, true)).to.equal(true);
      expect(canOpenBrowser({}, true), 'no display').to.equal(false);
    }
    expect(canOpenBrowser({ DISPLAY: ':0', CI: 'true' }, true), 'CI').to.equal(false);
    expect(canOpenBrowser({ DISPLAY: ':0' }, false), 'not a terminal').to.equal(false);
    expect(canOpenBrowser({ DISPLAY: ':0' }, undefined), 'not a terminal').to.equal(false);
  });

  (canRunOnTerminal && process.platform === 'linux' ? it : it.skip)(
    'on a terminal with a display it runs xdg-open with the complete URL; with CI set it does not',
    async () => {
      const bin = tempDir('mux1-fake-opener-');
      try {
        const marker = join(bin.path, 'opened');
        // A stand-in for the desktop's opener: it writes down what it was asked to open.
        writeFileSync(join(bin.path, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${marker}'\n`);
        chmodSync(join(bin.path, 'xdg-open'), 0o755);
        const path = `${bin.path}:${process.env.PATH}`;
        for (const ci of [undefined, 'true']) {
          const run = await runOnTerminal(['login', '--web'], [[/Waiting for the approval/, '\u0003']], {
            env: { ...env, PATH: path, DISPLAY: ':99', CI: ci },
            timeoutMs: 20_000,
          });
          const code = USER_CODE.exec(run.screen)?.[1];
          expect(code, run.screen).to.be.a('string');
          if (ci) expect(existsSync(marker), 'CI: no browser').to.equal(false);
          else {
            for (let i = 0; i < 40 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
            expect(readAll(bin.path)).to.include(`${t.url}/device?code=${code}`);
            expect(run.screen).to.include('Opened a browser');
            rmSync(marker);
          }
        }
      } finally {
        bin.remove();
      }
    },
  );
});
