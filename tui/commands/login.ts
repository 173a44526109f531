import { Flags } from '@oclif/core';
import { Mux1Error } from '../client/errors.js';
import { nextCommand, passwordStdinFlag, readPassword } from '../cli/input.js';
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
  ];
  static override flags = {
    username: Flags.string({ summary: 'Your username or email address.', required: true }),
    'password-stdin': passwordStdinFlag,
  };

  async run() {
    const { flags } = await this.parse(Login);
    const password = await readPassword({ fromStdin: flags['password-stdin'] });
    const rest = await this.rest(flags.server);
    const login = await rest.login({ username: flags.username, password }).catch((err: unknown) => {
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
}
