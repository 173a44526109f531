import { Flags } from '@oclif/core';
import { LIMITS } from '../../../server/protocol.js';
import { readPasswordChange } from '../../cli/input.js';
import { ServerCommand } from '../../cli/server-command.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, serverOr } from '../../cli/texts.js';

export default class PasswordChange extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.changePassword');
  static override summary = 'Change your password; every other session is signed out';
  static override description =
    'Asks for the current password, then the new one twice, on a terminal (hidden). With ' +
    '--password-stdin it reads two lines instead: the current password, then the new one. The new ' +
    `password follows the signup rules (${LIMITS.passwordMin}-${LIMITS.passwordMax} characters, not a ` +
    'common one). This session stays signed in; a confirmation is mailed.';
  static override examples = [
    '<%= config.bin %> password change',
    {
      description: 'From a script: the current password on the first line, the new one on the second:',
      command: `printf '%s\\n%s\\n' "$OLD_PASSWORD" "$NEW_PASSWORD" | <%= config.bin %> password change --password-stdin --json`,
    },
  ];
  static override flags = {
    'password-stdin': Flags.boolean({
      summary: 'Read two lines from standard input: the current password, then the new one.',
    }),
  };

  async run() {
    const { flags } = await this.parse(PasswordChange);
    const active = await this.requireToken(flags.server);
    const { current, next } = await readPasswordChange({ fromStdin: flags['password-stdin'] });
    const rest = await this.rest(flags.server, active.token);
    const res = await rest.changePassword({ current_password: current, password: next });
    this.log(serverOr(res.message, cliTexts()('password.changed', { count: res.revoked_sessions })));
    return { message: res.message, server: flags.server, revoked_sessions: res.revoked_sessions };
  }
}
