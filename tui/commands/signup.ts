import { Flags } from '@oclif/core';
import { passwordStdinFlag, readPassword } from '../cli/password.js';
import { ServerCommand } from '../cli/server-command.js';

export default class Signup extends ServerCommand {
  static override summary = 'Create an account; a code to verify the email is mailed';
  static override description =
    'The password is asked twice on a terminal (hidden), or read from standard input with --password-stdin. ' +
    'It is never a flag and never written to disk.';
  static override examples = [
    '<%= config.bin %> signup --username alice --email alice@example.com',
    {
      description: 'From a script, with the password on standard input:',
      command:
        '<%= config.bin %> signup --username alice --email alice@example.com --password-stdin --json <<< "$PASSWORD"',
    },
  ];
  static override flags = {
    username: Flags.string({ summary: '3-32 characters: a-z 0-9 _ . -', required: true }),
    email: Flags.string({ summary: 'Where the verification code goes.', required: true }),
    'password-stdin': passwordStdinFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Signup);
    const password = await readPassword({ fromStdin: flags['password-stdin'], confirm: true });
    const rest = await this.rest(flags.server);
    const { message } = await rest.signup({ username: flags.username, email: flags.email, password });
    this.result({ message, server: flags.server, username: flags.username, email: flags.email }, [
      message,
      `Next: ${this.config.bin} verify --email ${flags.email} --code CODE`,
    ]);
  }
}
