import { emailFlag, nextCommand } from '../cli/input.js';
import { ServerCommand } from '../cli/server-command.js';

export default class Resend extends ServerCommand {
  static override summary = 'Mail a new verification code; the old one stops working';
  static override examples = ['<%= config.bin %> resend --email alice@example.com'];
  static override flags = { email: emailFlag('The address the account was signed up with.') };

  async run() {
    const { flags } = await this.parse(Resend);
    const rest = await this.rest(flags.server);
    const { message } = await rest.resendVerification({ email: flags.email });
    this.log(`${message}\nNext: ${nextCommand(this.config.bin, ['verify', '--email', flags.email], flags)}`);
    return { message, server: flags.server, email: flags.email };
  }
}
