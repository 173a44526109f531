import { Flags } from '@oclif/core';
import { LIMITS } from '../../server/protocol.js';
import { ServerCommand } from '../cli/server-command.js';

export default class Verify extends ServerCommand {
  static override summary = 'Verify an email address with the code mailed at signup';
  static override examples = ['<%= config.bin %> verify --email alice@example.com --code 123456'];
  static override flags = {
    email: Flags.string({ summary: 'The address the code was sent to.', required: true }),
    code: Flags.string({
      summary: `The ${LIMITS.codeDigits}-digit code from the mail.`,
      required: true,
      parse: async (input) => {
        const code = input.replace(/\s+/g, '');
        if (!new RegExp(`^\\d{${LIMITS.codeDigits}}$`).test(code)) {
          throw new Error(`expected ${LIMITS.codeDigits} digits, got "${input}"`);
        }
        return code;
      },
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Verify);
    const rest = await this.rest(flags.server);
    const { message } = await rest.verifyEmail({ email: flags.email, code: flags.code });
    this.result({ message, server: flags.server, email: flags.email }, [
      message,
      `Next: ${this.config.bin} login --username NAME`,
    ]);
  }
}
