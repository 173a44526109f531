import { emailFlag, nextCommand } from '../cli/input.js';
import { ServerCommand } from '../cli/server-command.js';
import { cliTexts, serverOr } from '../cli/texts.js';

export default class Resend extends ServerCommand {
  static override summary = 'Mail a new verification code; the old one stops working';
  static override examples = ['<%= config.bin %> resend --email alice@example.com'];
  static override flags = { email: emailFlag('The address the account was signed up with.') };

  async run() {
    const { flags } = await this.parse(Resend);
    const rest = await this.rest(flags.server);
    const { message } = await rest.resendVerification({ email: flags.email });
    const t = cliTexts();
    const next = nextCommand(this.config.bin, ['verify', '--email', flags.email], flags);
    this.log(
      `${serverOr(message, t('resend.sent', { email: flags.email }))}\n${t('next', { command: next })}`,
    );
    return { message, server: flags.server, email: flags.email };
  }
}
