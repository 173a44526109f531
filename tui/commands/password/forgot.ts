import { Flags } from '@oclif/core';
import { ServerCommand } from '../../cli/server-command.js';

export default class PasswordForgot extends ServerCommand {
  static override summary = 'Mail a 6-digit code to reset a forgotten password';
  static override description =
    'The answer is the same whether or not the address has an account, so it cannot be used to find ' +
    'out who has one. The code works once and expires after 15 minutes; asking again replaces it.';
  static override examples = [
    '<%= config.bin %> password forgot --email alice@example.com',
    '<%= config.bin %> password forgot --email alice@example.com --server https://chat.example.com --json',
  ];
  static override flags = {
    email: Flags.string({ summary: 'The address of the account.', required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PasswordForgot);
    const rest = await this.rest(flags.server);
    const { message } = await rest.forgotPassword({ email: flags.email });
    this.result({ message, server: flags.server, email: flags.email }, [
      message,
      `Next: ${this.config.bin} password reset --email ${flags.email} --code CODE`,
    ]);
  }
}
