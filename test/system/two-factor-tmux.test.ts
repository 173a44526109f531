import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { useServer } from '../helpers/fixture.js';
import { decodeDrawnQr, totpAt } from '../helpers/two-factor.js';

const session = `mux1-2fa-${process.pid}`;
// A tmux server of its own (-L) with no user config (-f): nothing from another tmux leaks in.
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', session, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
const text = (s: string) => tmux('send-keys', '-t', session, '-l', s);

async function waitForScreen(
  check: (s: string) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (check(s)) return s;
    if (Date.now() > until) throw new Error(`screen never showed ${what}:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The built CLI's TUI in a real 80x24 terminal turns two-factor sign-in on: the QR code it draws
 * is read back from the terminal's own cells, as a phone's camera would read the screen, and the
 * code computed from it turns the feature on.
 */
describe('system: two-factor sign-in turned on in a real terminal', function () {
  this.timeout(90_000);
  let configDir: string;

  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  before(() => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-2fa-tmux-'));
  });
  after(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(configDir, { recursive: true, force: true });
  });

  it('draws a QR code at 80x24 that decodes to the secret, whose code shows the backup codes', async () => {
    const me = await t.verifiedPerson('tmux2fa');
    const cli = resolve('bin/run.js');
    // A person's terminal, not a CI log: with CI set, Ink draws only the final frame.
    const env = `env -u CI -u CONTINUOUS_INTEGRATION MUX1_CONFIG_DIR='${configDir}' MUX1_SERVER='${t.url}'`;
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '80',
      '-y',
      '24',
      '-e',
      'TERM=xterm-256color',
      `${env} '${process.execPath}' '${cli}'`,
    );
    tmux('set-option', '-t', session, 'remain-on-exit', 'on');

    await waitForScreen((s) => s.includes('Log in (l)'), 'the start menu');
    keys('l');
    await waitForScreen((s) => s.includes('[ Log in ]'), 'the login form');
    text(me.username);
    keys('Tab');
    text(me.password);
    await waitForScreen((s) => s.includes('•'.repeat(me.password.length)), 'the masked password');
    keys('Enter');
    await waitForScreen((s) => s.includes('● connected'), 'the chat');

    text('/settings');
    keys('Enter');
    await waitForScreen((s) => s.includes('two-factor sign-in'), 'the settings');
    keys('t');
    await waitForScreen((s) => s.includes('Off: your password alone logs in.'), 'two-factor off');
    keys('Enter');
    await waitForScreen((s) => s.includes('Turn on two-factor sign-in'), 'the password form');
    text(me.password);
    keys('Enter');
    const captured = await waitForScreen((s) => s.includes('Scan the code with your app'), 'the QR code');
    if (process.env.MUX1_QR_CAPTURE) writeFileSync(process.env.MUX1_QR_CAPTURE, captured);

    expect(captured.trimEnd().split('\n').length).to.be.at.most(24);
    for (const line of captured.split('\n')) expect([...line].length).to.be.at.most(80);
    // The drawing's top row is its width (its light margin); the text stands beside it.
    const width = /^[█▀▄ ]*█/m.exec(captured)![0].length;
    const drawing = captured
      .split('\n')
      .map((l) => [...l].slice(0, width).join(''))
      .join('\n');
    const uri = decodeDrawnQr(drawing);
    expect(uri, `no QR code read from:\n${captured}`).to.match(/^otpauth:\/\/totp\/mux1:tmux2fa\d+\?/);
    const secret = new URL(uri!).searchParams.get('secret')!;
    expect(secret).to.match(/^[A-Z2-7]+$/);

    // The server runs on the real clock, as the app on a phone does.
    text(totpAt(secret, Date.now()));
    keys('Enter');
    const codes = await waitForScreen((s) => s.includes('I saved them'), 'the backup codes');
    expect(codes.match(/[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}/g) ?? []).to.have.length(10);
    const row = await t.db('users').where({ username: me.username }).first();
    expect(row.two_factor_enabled_at, 'two-factor sign-in is on').not.to.equal(null);
    keys('Enter');
    await waitForScreen((s) => s.includes('Two-factor sign-in is on.'), 'the settings again');
  });
});
