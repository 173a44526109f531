import { Flags } from '@oclif/core';
import { ServerCommand } from '../cli/server-command.js';

export default class Resend extends ServerCommand {
  static override summary = 'Mail a new verification code; the old one stops working';
  static override examples = ['<%= config.bin %> resend --email alice@example.com'];
  static override flags = {
    email: Flags.string({ summary: 'The address the account was signed up with.', required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Resend);
    const rest = await this.rest(flags.server);
    const { message } = await rest.resendVerification({ email: flags.email });
    this.result({ message, server: flags.server, email: flags.email }, message);
  }
}
