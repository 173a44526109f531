import { passwordStdinFlag, readPasswordAndSecondFactor, secondFactorStdinFlag } from '../../cli/input.js';
import { ServerCommand } from '../../cli/server-command.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, serverOr } from '../../cli/texts.js';

export default class TwoFactorDisable extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageTwoFactor');
  static override summary = 'Turn off two-factor sign-in; your password and a code confirm it';
  static override description =
    'Asks for your password and a code from your authenticator app (or a backup code), hidden, on a ' +
    'terminal. With --password-stdin and --code-stdin, reads them as two lines of standard input.';
  static override examples = [
    '<%= config.bin %> 2fa disable',
    {
      description: 'From a script:',
      command: `printf '%s\\n%s\\n' "$PASSWORD" "$CODE" | <%= config.bin %> 2fa disable --password-stdin --code-stdin --json`,
    },
  ];
  static override flags = {
    'password-stdin': passwordStdinFlag,
    'code-stdin': secondFactorStdinFlag,
  };

  async run() {
    const { flags } = await this.parse(TwoFactorDisable);
    const active = await this.requireToken(flags.server);
    const proof = await readPasswordAndSecondFactor(flags);
    const rest = await this.rest(flags.server, active.token);
    const res = await rest.disableTwoFactor(proof);
    this.log(serverOr(res.message, cliTexts()('twoFactor.off')));
    return { message: res.message, server: flags.server };
  }
}
