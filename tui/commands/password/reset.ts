import { Flags } from '@oclif/core';
import { LIMITS } from '../../../server/protocol.js';
import { passwordStdinFlag } from '../../cli/password.js';
import { readNewPassword } from '../../cli/password-prompts.js';
import { ServerCommand } from '../../cli/server-command.js';

export default class PasswordReset extends ServerCommand {
  static override summary = 'Choose a new password with the code from `password forgot`';
  static override description =
    'The new password is asked twice on a terminal (hidden), or read from standard input with ' +
    '--password-stdin (one line). It follows the signup rules. Every session of the account ends, ' +
    'so you log in again afterwards; a session stored here for that account is removed.';
  static override examples = [
    '<%= config.bin %> password reset --email alice@example.com --code 123456',
    {
      description: 'From a script, with the new password on standard input:',
      command:
        '<%= config.bin %> password reset --email alice@example.com --code 123456 --password-stdin --json <<< "$NEW_PASSWORD"',
    },
  ];
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
    'password-stdin': passwordStdinFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PasswordReset);
    const password = await readNewPassword({ fromStdin: flags['password-stdin'] });
    const rest = await this.rest(flags.server);
    const { message } = await rest.resetPassword({ email: flags.email, code: flags.code, password });
    const removed = await this.forgetSessionOf(flags.server, flags.email);
    this.result({ message, server: flags.server, email: flags.email, removed_file: removed }, [
      message,
      `Next: ${this.config.bin} login --username ${flags.email}`,
    ]);
  }

  /** The stored session of that account died with the reset; a damaged file is left to login. */
  private async forgetSessionOf(server: string, email: string): Promise<boolean> {
    const { loadSession, removeSession } = await this.credentials();
    try {
      const stored = await loadSession(server);
      return stored?.user.email === email.trim().toLowerCase() ? await removeSession(server) : false;
    } catch {
      return false;
    }
  }
}
