import { Flags } from '@oclif/core';
import { passwordStdinFlag, readPassword } from '../cli/password.js';
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

  async run(): Promise<void> {
    const { flags } = await this.parse(Login);
    const password = await readPassword({ fromStdin: flags['password-stdin'] });
    const rest = await this.rest(flags.server);
    const login = await rest.login({ username: flags.username, password });
    const { saveSession } = await this.credentials();
    const file = await saveSession({
      server: flags.server,
      token: login.token,
      expires_at: login.expires_at,
      user: login.user,
      saved_at: new Date().toISOString(),
    });
    // The token stays out of the output: stdout of scripts tends to end up in CI logs.
    this.result(
      { message: login.message, server: flags.server, user: login.user, expires_at: login.expires_at, file },
      `${login.message} Session saved for ${flags.server} until ${login.expires_at}.`,
    );
  }
}
