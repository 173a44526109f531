import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binRun } from '../../helpers/cli.js';
import { requireBuiltCli } from '../../helpers/server-process.js';

// A tmux server of its own (-L) with no user config (-f): the TUI needs a terminal, and tmux is one.
const socket = `mux1-german-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

async function screenShowing(session: string, text: string): Promise<string> {
  const until = Date.now() + 15_000;
  for (;;) {
    const shown = tmux('capture-pane', '-p', '-t', session);
    if (shown.includes(text)) return shown;
    if (Date.now() > until) throw new Error(`the screen never showed ${text}:\n${shown}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The built TUI in a real terminal with MUX1_LANG=de (the tests' own English is set by
 * test/helpers/english.ts; the child gets German in its environment): the start menu in German,
 * with the same shortcut letters, at 80x24 and at 40x12.
 */
describe('TUI: German when the terminal asks for it', function () {
  this.timeout(30_000);
  let configDir: string;

  before(() => {
    requireBuiltCli();
    configDir = mkdtempSync(join(tmpdir(), 'mux1-german-'));
  });
  after(() => {
    try {
      tmux('kill-server');
    } catch {
      // no session was left
    }
    rmSync(configDir, { recursive: true, force: true });
  });

  for (const [columns, rows] of [
    [80, 24],
    [40, 12],
  ] as const) {
    it(`shows the start menu in German at ${columns}x${rows}`, async () => {
      const session = `start-${columns}`;
      // Nothing is asked of the server before a choice is made: a port nobody listens on will do.
      const env = `env -u CI -u CONTINUOUS_INTEGRATION -u SSH_AUTH_SOCK -u LC_ALL MUX1_LANG=de MUX1_CONFIG_DIR='${configDir}/${session}'`;
      const command = `${env} '${process.execPath}' '${binRun}' tui --server http://127.0.0.1:9`;
      tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), command);
      const shown = await screenShowing(session, 'Anmelden (l)');
      for (const line of [
        'Im Browser anmelden (b)',
        'Registrieren (s)',
        'E-Mail bestätigen (v)',
        'Beenden (q)',
        '↑↓ wählen',
      ])
        expect(shown).to.include(line);
      expect(shown).not.to.include('Log in');
      expect(shown).not.to.include('Sign up');
      // Every row fits the terminal: none is cut by tmux or wrapped by it into the next.
      for (const row of shown.split('\n')) expect([...row].length).to.be.at.most(columns);
      // The same letters as in English: `s` opens the signup form, in German.
      tmux('send-keys', '-t', session, 's');
      const form = await screenShowing(session, '[ Registrieren ]');
      expect(form).to.include('Benutzername');
      expect(form).to.include('Passwort wiederholen');
      tmux('kill-session', '-t', session);
    });
  }
});
