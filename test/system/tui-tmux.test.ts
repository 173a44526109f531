import { expect } from 'chai';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { loggedInPerson } from '../helpers/accounts.js';
import { runCli } from '../helpers/cli.js';
import { useServer } from '../helpers/fixture.js';
import { freePort } from '../helpers/ports.js';

const session = `mux1-e2e-${process.pid}`;
// A tmux server of its own (-L) with no user config (-f): nothing from another tmux leaks in.
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', session, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const screen = (target = session) => tmux('capture-pane', '-p', '-t', target);
/** Everything the terminal showed, scrollback included. */
const history = () => tmux('capture-pane', '-p', '-S', '-2000', '-t', session);

async function waitForScreen(
  check: (s: string) => boolean,
  what: string,
  target = session,
  timeoutMs = 15_000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = screen(target);
    if (check(s)) return s;
    if (Date.now() > until)
      throw new Error(
        `screen never showed ${what}:\n${s}\n${tmux('display-message', '-p', '-t', target, 'dead=#{pane_dead} status=#{pane_dead_status} pid=#{pane_pid} cmd=#{pane_current_command}')}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The built CLI in a real 80x24 terminal (tmux), driven by keystrokes like a person. */
describe('system: the TUI in a real terminal', function () {
  this.timeout(60_000);
  let configDir: string;
  let other: Socket | undefined;

  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  before(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tmux-'));
    // tmux exits when its last session closes, and a new-session right after can meet the exiting
    // server; a session that lives until kill-server keeps one server for the whole file.
    tmux('new-session', '-d', '-s', 'keep', 'sleep 600');
  });
  after(async () => {
    other?.disconnect();
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(configDir, { recursive: true, force: true });
  });

  it('draws without colour when NO_COLOR is set', async () => {
    const cli = resolve('bin/run.js');
    const env = `env -u CI -u CONTINUOUS_INTEGRATION NO_COLOR=1 MUX1_CONFIG_DIR='${configDir}-nc' MUX1_SERVER='${t.url}'`;
    tmux(
      'new-session',
      '-d',
      '-s',
      'nocolor',
      '-x',
      '80',
      '-y',
      '24',
      `${env} '${process.execPath}' '${cli}'`,
    );
    await waitForScreen((s) => s.includes('Log in (l)'), 'the start menu', 'nocolor');
    const painted = tmux('capture-pane', '-e', '-p', '-t', 'nocolor');
    // eslint-disable-next-line no-control-regex -- looking for the colour sequences themselves
    expect(painted).not.to.match(/\u001B\[(3|4|9)\dm/);
    tmux('kill-session', '-t', 'nocolor');
  });

  it('draws on the alternate screen and gives the shell its screen back after Ctrl+C', async () => {
    const cli = resolve('bin/run.js');
    const env = `env -u CI -u CONTINUOUS_INTEGRATION MUX1_CONFIG_DIR='${configDir}-alt' MUX1_SERVER='${t.url}'`;
    const statusFile = join(configDir, 'alt-exit-status');
    const command = `printf 'typed before mux1\\n'; ${env} '${process.execPath}' '${cli}'; echo $? > '${statusFile}'; echo 'back in the shell'; sleep 30`;
    tmux('new-session', '-d', '-s', 'alt', '-x', '80', '-y', '24', '-e', 'TERM=xterm-256color', command);
    // The pane stays alive after the app (tmux 3.3 shows a dead pane blank, whatever it held).
    const drawn = await waitForScreen((s) => s.includes('Log in (l)'), 'the start menu', 'alt');
    expect(drawn, 'the shell is hidden while the TUI runs').not.to.include('typed before mux1');
    // Ctrl+C as a key of the app (a Ctrl+C before Ink's raw mode is a SIGINT: test/tui/app/alternate-screen.test.ts).
    // The menu moving on an arrow key says raw mode is on.
    tmux('send-keys', '-t', 'alt', 'Down');
    await waitForScreen((s) => s.includes('› Log in with a browser'), 'the menu to take a key', 'alt');
    tmux('send-keys', '-t', 'alt', 'C-c');
    const after = await waitForScreen((s) => s.includes('back in the shell'), 'the shell again', 'alt');
    expect(readFileSync(statusFile, 'utf8').trim(), 'exit status').to.equal('0');
    expect(after, 'the shell screen is back').to.include('typed before mux1');
    expect(after, 'nothing of the TUI is left on it').not.to.include('Log in (l)');
    expect(tmux('display-message', '-p', '-t', 'alt', '#{alternate_on}').trim()).to.equal('0');
    tmux('kill-session', '-t', 'alt');
  });

  it('logs in through the form, chats with another client, and never shows the password', async () => {
    const me = await t.verifiedPerson('tmux');
    const cli = resolve('bin/run.js');
    // A person's terminal, not a CI log: with CI set, Ink draws only the final frame.
    const env = `env -u CI -u CONTINUOUS_INTEGRATION MUX1_CONFIG_DIR='${configDir}' MUX1_SERVER='${t.url}'`;
    // tmux runs the command with sh, which then writes the app's exit status to a file: tmux 3.3
    // can mark a pane dead without ever recording the status (seen in CI), and the file does not
    // depend on tmux's bookkeeping.
    const statusFile = join(configDir, 'exit-status');
    const command = `${env} '${process.execPath}' '${cli}'; echo $? > '${statusFile}'`;
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-e', 'TERM=xterm-256color', command);
    // Keep the pane after the app exits, so a failure still shows what the app printed last.
    tmux('set-option', '-t', session, 'remain-on-exit', 'on');

    await waitForScreen((s) => s.includes('Log in (l)'), 'the start menu');
    tmux('send-keys', '-t', session, 'l');
    await waitForScreen((s) => s.includes('[ Log in ]'), 'the login form');
    tmux('send-keys', '-t', session, '-l', me.username);
    tmux('send-keys', '-t', session, 'Tab');
    tmux('send-keys', '-t', session, '-l', me.password);
    await waitForScreen((s) => s.includes('•'.repeat(me.password.length)), 'the masked password');
    tmux('send-keys', '-t', session, 'Enter');
    await waitForScreen((s) => s.includes('#lobby') && s.includes('● connected'), 'the chat');

    tmux('send-keys', '-t', session, '-l', 'typed in a real terminal');
    tmux('send-keys', '-t', session, 'Enter');
    await waitForScreen((s) => s.includes(`${me.username} typed in a real terminal`), 'my message');

    const friend = await t.loggedInPerson('remote');
    other = io(t.url, { auth: { token: friend.token }, transports: ['websocket'] });
    await new Promise<void>((resolve) => other!.once('connected', () => resolve()));
    await other.timeout(5000).emitWithAck('message', { room: 'lobby', text: 'hello \u001B[2Jthere' });
    const shown = await waitForScreen(
      (s) => s.includes(`${friend.username} hello there`),
      "the other's message",
    );
    expect(shown.trimEnd().split('\n').length).to.be.at.most(24);

    expect(history(), 'the password is never on screen').not.to.include(me.password);

    tmux('send-keys', '-t', session, '-l', '/quit');
    tmux('send-keys', '-t', session, 'Enter');
    const until = Date.now() + 15_000;
    while (!existsSync(statusFile) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(statusFile), `the app never quit:\n${screen()}`).to.equal(true);
    expect(readFileSync(statusFile, 'utf8').trim(), 'exit status').to.equal('0');
  });

  it("two TUIs in two panes see their unread counts rise with the other one's lines and fall as they read", async () => {
    const ann = await t.loggedInPerson('pane-ann');
    const bob = await t.loggedInPerson('pane-bob');
    const cli = resolve('bin/run.js');
    const target = 'panes';
    const run = (token: string, dir: string) =>
      `env -u CI -u CONTINUOUS_INTEGRATION MUX1_BELL=0 MUX1_CONFIG_DIR='${configDir}-${dir}' MUX1_SERVER='${t.url}' MUX1_TOKEN='${token}' '${process.execPath}' '${cli}'`;
    // 161 columns: two panes of 80 and the border between them.
    tmux(
      'new-session',
      '-d',
      '-s',
      target,
      '-x',
      '161',
      '-y',
      '24',
      '-e',
      'TERM=xterm-256color',
      run(ann.token, 'ann'),
    );
    tmux('split-window', '-h', '-t', target, '-e', 'TERM=xterm-256color', run(bob.token, 'bob'));
    const [left, right] = [`${target}:0.0`, `${target}:0.1`];
    const bar = (s: string) => s.split('\n')[1] ?? '';
    const keys = (pane: string, ...k: string[]) => tmux('send-keys', '-t', pane, ...k);
    const say = (pane: string, text: string) => {
      keys(pane, '-l', text);
      keys(pane, 'Enter');
    };
    try {
      for (const pane of [left, right]) {
        await waitForScreen((s) => s.includes('#lobby') && s.includes('● connected'), 'the chat', pane);
        say(pane, '/join panes-room');
        await waitForScreen((s) => s.includes('you joined #panes-room'), 'the room joined', pane);
      }
      keys(right, 'M-1');
      // By the header: the bar lists both rooms before the key is taken (the current one differs
      // only in colour, which capture-pane does not show), and ann's lines must not find bob in
      // #panes-room, which would mark them read.
      await waitForScreen((s) => s.split('\n')[0]!.startsWith('#lobby'), 'bob in the lobby', right);

      say(left, 'first from ann');
      say(left, 'second from ann');
      await waitForScreen((s) => s.includes('second from ann'), 'ann sees her lines', left);
      keys(left, 'M-1');
      await waitForScreen((s) => s.split('\n')[0]!.startsWith('#lobby'), 'ann back in the lobby', left);
      await waitForScreen((s) => /2:#panes-room 2\b/.test(bar(s)), "two unread in bob's bar", right);

      // Bob reads: his count falls to nothing, and he answers.
      keys(right, 'M-2');
      const read = await waitForScreen(
        (s) => s.includes('second from ann') && /2:#panes-room\s*$/.test(bar(s)),
        'bob reading, his count gone',
        right,
      );
      expect(read).to.include('first from ann');
      say(right, 'read both');
      keys(right, 'M-1');
      await waitForScreen((s) => /2:#panes-room 1\b/.test(bar(s)), "one unread in ann's bar", left);
      keys(left, 'M-2');
      await waitForScreen(
        (s) => s.includes(`${bob.username} read both`) && /2:#panes-room\s*$/.test(bar(s)),
        'ann reading, her count gone',
        left,
      );
      // Bob's bar, untouched meanwhile, shows nothing unread: ann's reading is hers alone.
      expect(bar(screen(right))).to.match(/^1:#lobby {2}2:#panes-room\s*$/);
    } finally {
      try {
        tmux('kill-session', '-t', target);
      } catch {
        // already gone
      }
      for (const dir of ['ann', 'bob']) rmSync(`${configDir}-${dir}`, { recursive: true, force: true });
    }
  });

  it('keeps a line sent while the server is down and delivers it once when the server is back', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'mux1-tmux-db-'));
    const url = `http://127.0.0.1:${port}`;
    // `mux1 server` from the build on one SQLite file, started again on it after a kill -9.
    const startServer = async (): Promise<ChildProcess> => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATABASE_URL: join(dir, 'mux1.sqlite'),
        SMTP_URL: t.mail.url,
      };
      delete env.NODE_OPTIONS;
      Object.assign(env, { NO_COLOR: '1', SCRYPT_LOG_N: '10', LOG_LEVEL: 'warn' });
      const child = spawn(
        process.execPath,
        [resolve('bin/run.js'), 'server', '--port', String(port), '--host', '127.0.0.1'],
        {
          env,
          stdio: 'ignore',
        },
      );
      const until = Date.now() + 15_000;
      for (;;) {
        const up = await fetch(`${url}/api/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) return child;
        if (Date.now() > until) throw new Error('the server did not come up');
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    let server = await startServer();
    const target = 'offline';
    try {
      const me = await loggedInPerson(url, t.mail, 'away');
      const cli = resolve('bin/run.js');
      const env = `env -u CI -u CONTINUOUS_INTEGRATION MUX1_CONFIG_DIR='${configDir}-away' MUX1_SERVER='${url}' MUX1_TOKEN='${me.token}'`;
      tmux(
        'new-session',
        '-d',
        '-s',
        target,
        '-x',
        '80',
        '-y',
        '24',
        '-e',
        'TERM=xterm-256color',
        `${env} '${process.execPath}' '${cli}'`,
      );
      await waitForScreen((s) => s.includes('#lobby') && s.includes('● connected'), 'the chat', target);

      // The server dies in the middle of a line; the rest is typed, and sent, while it is away.
      tmux('send-keys', '-t', target, '-l', 'written while the ');
      server.kill('SIGKILL');
      await waitForScreen((s) => /#lobby · (reconnecting|offline)/.test(s), 'the chat offline', target);
      tmux('send-keys', '-t', target, '-l', 'server was down');
      tmux('send-keys', '-t', target, 'Enter');
      await waitForScreen(
        (s) => s.includes('◷') && s.includes('written while the server was down'),
        'the queued line',
        target,
      );

      server = await startServer();
      await waitForScreen(
        (s) =>
          s.includes('● connected') && s.includes('written while the server was down') && !s.includes('◷'),
        'the line delivered',
        target,
        30_000,
      );
      const history = await runCli(['history', '--json', '--server', url, '--limit', '50'], {
        env: { MUX1_TOKEN: me.token, MUX1_CONFIG_DIR: `${configDir}-away` },
      });
      expect(history.code, history.stderr).to.equal(0);
      const texts = (history.json().messages as { text: string }[]).map((m) => m.text);
      expect(texts.filter((x) => x === 'written while the server was down')).to.have.length(1);
    } finally {
      try {
        tmux('kill-session', '-t', target);
      } catch {
        // already gone
      }
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${configDir}-away`, { recursive: true, force: true });
    }
  });
});
