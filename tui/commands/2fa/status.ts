import { ServerCommand } from '../../cli/server-command.js';
import type { Words } from '../../cli/texts.js';

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
    this.log(
      status.enabled
        ? `Two-factor sign-in is on since ${status.enabled_at}. Backup codes left: ${status.backup_codes_left}.`
        : `Two-factor sign-in is off. Turn it on with: ${this.config.bin} 2fa enable`,
    );
    return { server: flags.server, ...status };
  }
}
