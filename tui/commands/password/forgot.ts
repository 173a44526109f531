import { LIMITS } from '../../../server/protocol.js';
import { emailFlag, nextCommand } from '../../cli/input.js';
import { ServerCommand } from '../../cli/server-command.js';
import { cliTexts, serverOr } from '../../cli/texts.js';

export default class PasswordForgot extends ServerCommand {
  static override summary = `Mail a ${LIMITS.codeDigits}-digit code to reset a forgotten password`;
  static override description =
    'The answer is the same whether or not the address has an account, so it cannot be used to find ' +
    'out who has one. The code works once and expires after a while (15 minutes by default); asking ' +
    'again replaces it.';
  static override examples = [
    '<%= config.bin %> password forgot --email alice@example.com',
    '<%= config.bin %> password forgot --email alice@example.com --server https://chat.example.com --json',
  ];
  static override flags = { email: emailFlag('The address of the account.') };

  async run() {
    const { flags } = await this.parse(PasswordForgot);
    const { message } = await (await this.rest(flags.server)).forgotPassword({ email: flags.email });
    const next = nextCommand(this.config.bin, ['password', 'reset', '--email', flags.email], flags);
    const t = cliTexts();
    this.log(
      `${serverOr(message, t('password.codeSent', { email: flags.email }))}\n${t('next', { command: next })}`,
    );
    return { message, server: flags.server, email: flags.email };
  }
}
