import { jsonFlag, Mux1Command } from '../cli/base-command.js';
import { CliError } from '../cli/errors.js';
import { serverFlag } from '../cli/server-command.js';

/** Placeholder until the Ink TUI lands; the TUI issue replaces this file. */
export default class Tui extends Mux1Command {
  static override summary = 'The terminal app: sign up, log in and chat (also `mux1` alone)';
  static override examples = ['<%= config.bin %>', '<%= config.bin %> tui --server https://chat.example.com'];
  static override baseFlags = { json: jsonFlag };
  static override flags = { server: serverFlag };

  async run(): Promise<void> {
    await this.parse(Tui);
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new CliError(
        'no_terminal',
        `The TUI needs a terminal; from scripts use the subcommands (${this.config.bin} help)`,
      );
    }
    this.result({}, `The mux1 TUI is not built yet; for now use the subcommands (${this.config.bin} help).`);
  }
}
