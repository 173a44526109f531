import { passwordStdinFlag, readPassword } from '../../cli/input.js';
import { ServerCommand } from '../../cli/server-command.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, serverOr } from '../../cli/texts.js';

/*
 * The owner's pause (docs/api.md, POST /api/account/deactivate): unlike delete, nothing is lost;
 * every session and token ends, the account leaves presence, and the next login brings it back.
 */
export default class AccountDeactivate extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.deactivateAccount');
  static override summary = 'Pause your account: sign out everywhere until you log in again';
  static override description =
    'Every session and access token of the account ends at once and it leaves the chat: nobody sees you ' +
    'online, and no old credential signs in. Nothing is deleted: the next login (the password, and the ' +
    'second factor when it is on) reactivates the account. The password is asked on a terminal (hidden), ' +
    'or read with --password-stdin.';
  static override examples = [
    '<%= config.bin %> account deactivate',
    {
      description: 'From a script, with the password on standard input:',
      command: '<%= config.bin %> account deactivate --password-stdin --json <<< "$PASSWORD"',
    },
    {
      description: 'Back later: logging in reactivates it.',
      command: '<%= config.bin %> login --username alice',
    },
  ];
  static override flags = { 'password-stdin': passwordStdinFlag };

  async run() {
    const { flags } = await this.parse(AccountDeactivate);
    const active = await this.requireToken(flags.server);
    const password = await readPassword({ fromStdin: flags['password-stdin'] });
    const rest = await this.rest(flags.server, active.token);
    const answer = await rest.deactivateAccount({ password });
    // Every session of the account ended, the stored one with them: keep no dead token.
    const { loadSession, removeSession } = await this.credentials();
    const stored =
      active.source === 'file' ? active.session : await loadSession(flags.server).catch(() => undefined);
    const removed = stored?.token === active.token ? await removeSession(flags.server) : false;
    this.log(serverOr(answer.message, cliTexts()('account.deactivated')));
    return { message: answer.message, server: flags.server, removed_file: removed };
  }
}
