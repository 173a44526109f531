import { emailFlag, nextCommand, passwordStdinFlag, readPassword, usernameFlag } from '../cli/input.js';
import { LIMITS } from '../../server/protocol.js';
import { ServerCommand } from '../cli/server-command.js';
import { cliTexts, serverOr } from '../cli/texts.js';

export default class Signup extends ServerCommand {
  static override summary = 'Create an account; a code to verify the email is mailed';
  static override description =
    `The password (${LIMITS.passwordMin}-${LIMITS.passwordMax} characters) is asked twice on a terminal ` +
    '(hidden), or read from standard input with --password-stdin. It is never a flag and never written to disk.';
  static override examples = [
    '<%= config.bin %> signup --username alice --email alice@example.com',
    {
      description: 'From a script, with the password on standard input:',
      command:
        '<%= config.bin %> signup --username alice --email alice@example.com --password-stdin --json <<< "$PASSWORD"',
    },
  ];
  static override flags = {
    username: usernameFlag,
    email: emailFlag('Where the verification code goes.'),
    'password-stdin': passwordStdinFlag,
  };

  async run() {
    const { flags } = await this.parse(Signup);
    const password = await readPassword({ fromStdin: flags['password-stdin'], confirm: true });
    const rest = await this.rest(flags.server);
    const { message } = await rest.signup({ username: flags.username, email: flags.email, password });
    const t = cliTexts();
    const said = serverOr(message, t('signup.created', { username: flags.username, email: flags.email }));
    const next = nextCommand(this.config.bin, ['verify', '--email', flags.email], flags);
    this.log(`${said}\n${t('next', { command: next })}`);
    return { message, server: flags.server, username: flags.username, email: flags.email };
  }
}
