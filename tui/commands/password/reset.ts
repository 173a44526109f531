import { LIMITS } from '../../../server/protocol.js';
import {
  codeFlags,
  emailFlag,
  nextCommand,
  passwordStdinFlag,
  readCode,
  readCodeAndNewPassword,
  readNewPassword,
} from '../../cli/input.js';
import { ServerCommand } from '../../cli/server-command.js';
import { cliTexts, serverOr } from '../../cli/texts.js';

export default class PasswordReset extends ServerCommand {
  static override summary = 'Choose a new password with the code from `password forgot`';
  static override description =
    `The code and the new password (${LIMITS.passwordMin}-${LIMITS.passwordMax} characters, asked twice) ` +
    'are asked for on a terminal (hidden). From a script, pipe them in: --code-stdin reads the code, ' +
    '--password-stdin the password; with both, the code is the first line and the password the second. ' +
    'The password follows the signup rules. Every session of the account ends, so you log in again ' +
    'afterwards; a session stored here for that account is removed.';
  static override examples = [
    '<%= config.bin %> password reset --email alice@example.com',
    {
      description: 'From a script, with the code and then the new password on standard input:',
      command: `printf '%s\\n%s\\n' "$CODE" "$NEW_PASSWORD" | <%= config.bin %> password reset --email alice@example.com --code-stdin --password-stdin --json`,
    },
  ];
  static override flags = {
    email: emailFlag('The address the code was sent to.'),
    ...codeFlags,
    'password-stdin': passwordStdinFlag,
  };

  async run() {
    const { flags } = await this.parse(PasswordReset);
    const { code, password } =
      flags['code-stdin'] && flags['password-stdin']
        ? await readCodeAndNewPassword()
        : {
            code: await readCode(flags),
            password: await readNewPassword({ fromStdin: flags['password-stdin'] }),
          };
    const rest = await this.rest(flags.server);
    const { message } = await rest.resetPassword({ email: flags.email, code, password });
    const removed = await this.forgetSessionOf(flags.server, flags.email);
    const t = cliTexts();
    const next = nextCommand(this.config.bin, ['login', '--username', flags.email], flags);
    this.log(`${serverOr(message, t('password.reset'))}\n${t('next', { command: next })}`);
    return { message, server: flags.server, email: flags.email, removed_file: removed };
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
