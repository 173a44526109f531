import { passwordStdinFlag, readPassword } from '../../cli/input.js';
import { ServerCommand } from '../../cli/server-command.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, englishTexts } from '../../cli/texts.js';

export default class AccountDelete extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.deleteAccount');
  static override summary = 'Delete your account for good; your password confirms it';
  static override description =
    'The account, its sessions and its codes are removed; the messages you wrote stay, shown as from a ' +
    'deleted user. The username and email can be used again. It cannot be undone: export first if ' +
    'you want a copy. The password is asked on a terminal (hidden), or read with --password-stdin.';
  static override examples = [
    '<%= config.bin %> account export --output my-mux1-data.json && <%= config.bin %> account delete',
    {
      description: 'From a script, with the password on standard input:',
      command: '<%= config.bin %> account delete --password-stdin --json <<< "$PASSWORD"',
    },
  ];
  static override flags = { 'password-stdin': passwordStdinFlag };

  async run() {
    const { flags } = await this.parse(AccountDelete);
    const active = await this.requireToken(flags.server);
    const password = await readPassword({ fromStdin: flags['password-stdin'] });
    const rest = await this.rest(flags.server, active.token);
    await rest.deleteAccount({ password });
    // Every session of the account is gone; the stored one too, if it was one of them.
    const { loadSession, removeSession } = await this.credentials();
    const stored =
      active.source === 'file' ? active.session : await loadSession(flags.server).catch(() => undefined);
    const removed = stored?.token === active.token ? await removeSession(flags.server) : false;
    const message = englishTexts('account.deleted');
    this.log(cliTexts()('account.deleted'));
    return { message, server: flags.server, removed_file: removed };
  }
}
