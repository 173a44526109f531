import { ServerCommand } from '../../cli/server-command.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts } from '../../cli/texts.js';

export default class TwoFactorStatus extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageTwoFactor');
  static override summary =
    'Say whether two-factor sign-in is on, since when, and how many backup codes are left';
  static override examples = ['<%= config.bin %> 2fa status', '<%= config.bin %> 2fa status --json'];

  async run() {
    const { flags } = await this.parse(TwoFactorStatus);
    const active = await this.requireToken(flags.server);
    const rest = await this.rest(flags.server, active.token);
    const status = await rest.twoFactorStatus();
    const t = cliTexts();
    this.log(
      status.enabled
        ? t('twoFactor.statusOn', { since: status.enabled_at, left: status.backup_codes_left })
        : t('twoFactor.statusOff', { bin: this.config.bin }),
    );
    return { server: flags.server, ...status };
  }
}
