import { Flags } from '@oclif/core';
import { Mux1Error } from '../client/errors.js';
import { UsageError } from '../cli/errors.js';
import type { LoginBody, MfaRequiredBody } from '../../server/protocol.js';
import {
  askSecondFactor,
  checkSecondFactor,
  nextCommand,
  passwordStdinFlag,
  readPassword,
  secondFactorStdinFlag,
  stdinLines,
} from '../cli/input.js';
import { ServerCommand } from '../cli/server-command.js';

export default class Login extends ServerCommand {
  static override summary = 'Log in and keep the session in the credential file';
  static override description =
    'The session token goes to a file readable only by you, in MUX1_CONFIG_DIR, else $XDG_CONFIG_HOME/mux1, ' +
    'else ~/.config/mux1 - one file per server URL. The password is never stored.';
  static override examples = [
    '<%= config.bin %> login --username alice',
    '<%= config.bin %> login --username alice@example.com --server https://chat.example.com',
    {
      description: 'From a script, with the password on standard input:',
      command: '<%= config.bin %> login --username alice --password-stdin --json <<< "$PASSWORD"',
    },
    {
      description: 'With two-factor sign-in on: the password, then the code, one per line:',
      command: `printf '%s\\n%s\\n' "$PASSWORD" "$CODE" | <%= config.bin %> login --username alice --password-stdin --code-stdin`,
    },
  ];
  static override flags = {
    username: Flags.string({ summary: 'Your username or email address.', required: true }),
    'password-stdin': passwordStdinFlag,
    'code-stdin': secondFactorStdinFlag,
  };

  async run() {
    const { flags } = await this.parse(Login);
    // Both on stdin: a line at a time, so an account without two factors needs only the first.
    const lines = flags['password-stdin'] && flags['code-stdin'] ? stdinLines('--code-stdin') : undefined;
    const password = lines
      ? await lines.next('the password')
      : await readPassword({ fromStdin: flags['password-stdin'] });
    const rest = await this.rest(flags.server);
    const first = await rest.login({ username: flags.username, password }).catch((err: unknown) => {
      if (Mux1Error.is(err) && err.code === 'email_not_verified') {
        const email = flags.username.includes('@') ? flags.username : 'EMAIL';
        const run = (...words: string[]) => `'${nextCommand(this.config.bin, words, flags)}'`;
        this.error(err.message, {
          exit: 1,
          code: err.code,
          suggestions: [
            `run ${run('verify', '--email', email)} (it asks for the code), or ${run('resend', '--email', email)} for a new one`,
          ],
        });
      }
      throw err;
    });
    const login = 'mfa_required' in first ? await this.secondStep(first, flags, lines) : first;
    lines?.close();
    const { saveLogin } = await this.credentials();
    const file = await saveLogin(flags.server, login);
    // The token stays out of the output: stdout of scripts tends to end up in CI logs.
    this.log(`${login.message} Session saved for ${flags.server} until ${login.expires_at}.`);
    return {
      message: login.message,
      server: flags.server,
      user: login.user,
      expires_at: login.expires_at,
      file,
    };
  }

  /** Two-factor sign-in: the code from stdin (--code-stdin) or a hidden prompt, for the session. */
  private async secondStep(
    pending: MfaRequiredBody,
    flags: { server: string; 'code-stdin': boolean },
    lines: ReturnType<typeof stdinLines> | undefined,
  ): Promise<LoginBody> {
    let code: string;
    if (lines) code = checkSecondFactor(await lines.next('the two-factor code'));
    else if (flags['code-stdin']) code = checkSecondFactor(await stdinLines('--code-stdin').next('the code'));
    else {
      if (!process.stdin.isTTY) {
        throw new UsageError(
          'this account uses two-factor sign-in: pipe the code in with --code-stdin (on the line after the password with --password-stdin)',
          'no_terminal',
        );
      }
      code = await askSecondFactor();
    }
    const rest = await this.rest(flags.server);
    return rest.loginSecondStep({ mfa_token: pending.mfa_token, code });
  }
}
