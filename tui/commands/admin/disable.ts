import { AdminCommand, named, userArg, yesFlag } from '../../cli/admin-command.js';
import { cliTexts, englishTexts } from '../../cli/texts.js';

export default class AdminDisable extends AdminCommand {
  static override summary = 'Disable an account: its sessions and tokens end, it is disconnected and mailed';
  static override description =
    'Admins only. Signing in is refused (account_disabled) until `admin enable`. The last enabled admin ' +
    'cannot be disabled (last_admin). Asks for confirmation on a terminal; scripts add --yes.';
  static override examples = [
    '<%= config.bin %> admin disable spammer42',
    '<%= config.bin %> admin disable 42 --yes --json',
  ];
  static override args = { id: userArg };
  static override flags = { yes: yesFlag };

  async run() {
    const { args, flags } = await this.parse(AdminDisable);
    this.mustBeAbleToConfirm(flags);
    const admin = await this.admin(flags.server);
    const target = await this.resolve(admin, args.id);
    await this.confirm(flags, cliTexts()('admin.confirmDisable', { account: named(target) }));
    const { user } = await admin.updateUser(target.id, { disabled: true });
    const message = englishTexts('admin.disabled', { account: named(user) });
    this.log(cliTexts()('admin.disabled', { account: named(user) }));
    return { message, server: flags.server, user };
  }
}
