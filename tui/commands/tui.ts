import { Flags } from '@oclif/core';
import { ServerCommand } from '../cli/server-command.js';
import { CliError, UsageError } from '../cli/errors.js';

export default class Tui extends ServerCommand {
  static override summary = 'The terminal app: sign up, verify, log in and chat (also `mux1` alone)';
  static override description =
    'Opens the full-screen app. With a stored session that still works it goes straight to the chat. ' +
    'It needs a terminal; scripts use the other commands.';
  static override examples = [
    '<%= config.bin %>',
    '<%= config.bin %> tui --server https://chat.example.com',
    '<%= config.bin %> tui --via alice@chat.example.com',
  ];
  // The TUI draws a screen and has no result to print: --json is refused before parsing, and
  // stays out of the help.
  static override enableJsonFlag = false;
  static override baseFlags = { ...ServerCommand.baseFlags, json: Flags.boolean({ hidden: true }) };

  async run(): Promise<void> {
    const end = this.argv.indexOf('--');
    if ((end === -1 ? this.argv : this.argv.slice(0, end)).includes('--json')) {
      const bin = this.config.bin;
      throw new UsageError((t) => t('tui.noJson', { bin }));
    }
    const { flags } = await this.parse(Tui);
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      const bin = this.config.bin;
      throw new CliError('no_terminal', (t) => t('tui.needsTerminal', { bin }));
    }
    // NO_COLOR (no-color.org) is not read by Ink's colour library, but FORCE_COLOR=0 is; it must be
    // set before Ink loads. Without colour, the focused field is still marked with ›.
    if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
    // React's production build (the development one costs half again as much CPU per keypress),
    // unless NODE_ENV says otherwise: bin/dev.js has oclif set it to development. It must be set
    // before anything loads React: React and react-reconciler each pick their build when first
    // loaded, and React's development build with the reconciler's production one throws in every
    // render (`dispatcher.getOwner is not a function`), which Ink's root swallows, so nothing is
    // drawn at all.
    if (!process.env.NODE_ENV) process.env.NODE_ENV = 'production';
    // Ink and React load only here, so the other commands start fast.
    const { runTui } = await import('../app/App.js');
    const active = await this.requireToken(flags.server).catch(() => undefined);
    // With --via the app dials the tunnel; the session it starts with is the one stored for --server.
    const dial = await this.dial(flags.server);
    await runTui({
      server: flags.server,
      dial,
      userAgent: this.config.userAgent,
      storedToken: active?.token,
      sessions: await this.credentials(),
    });
  }
}
