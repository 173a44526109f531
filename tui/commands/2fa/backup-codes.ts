import { passwordStdinFlag, readPasswordAndSecondFactor, secondFactorStdinFlag } from '../../cli/input.js';
import { ServerCommand } from '../../cli/server-command.js';
import { safeText } from '../../client/safe-text.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, serverOr } from '../../cli/texts.js';

export default class TwoFactorBackupCodes extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageTwoFactor');
  static override summary = 'Make 10 new backup codes; the earlier ones stop working';
  static override description =
    'Asks for your password and a code from your authenticator app (or a backup code), hidden, on a ' +
    'terminal; with --password-stdin and --code-stdin, reads them as two lines of standard input. The ' +
    'new codes are printed once.';
  static override examples = [
    '<%= config.bin %> 2fa backup-codes',
    '<%= config.bin %> 2fa backup-codes --json > backup-codes.json',
  ];
  static override flags = {
    'password-stdin': passwordStdinFlag,
    'code-stdin': secondFactorStdinFlag,
  };

  async run() {
    const { flags } = await this.parse(TwoFactorBackupCodes);
    const active = await this.requireToken(flags.server);
    const proof = await readPasswordAndSecondFactor(flags);
    const rest = await this.rest(flags.server, active.token);
    const res = await rest.regenerateBackupCodes(proof);
    const said = serverOr(safeText(res.message), cliTexts()('twoFactor.newBackupCodes'));
    this.log([said, '', ...res.backup_codes.map((c) => `  ${safeText(c)}`)].join('\n'));
    return { message: res.message, server: flags.server, backup_codes: res.backup_codes };
  }
}
