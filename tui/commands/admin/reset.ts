import { AdminCommand, named, userArg, yesFlag } from '../../cli/admin-command.js';
import { cliTexts, serverOr } from '../../cli/texts.js';

export default class AdminReset extends AdminCommand {
  static override summary =
    "Force a password reset: the account's sessions and tokens end and a reset code is mailed";
  static override description =
    'Admins only. The owner sets a new password with the mailed code (`mux1 password reset`). Asks for ' +
    'confirmation on a terminal; scripts add --yes.';
  static override examples = [
    '<%= config.bin %> admin reset alice',
    '<%= config.bin %> admin reset 42 --yes --json',
  ];
  static override args = { id: userArg };
  static override flags = { yes: yesFlag };

  async run() {
    const { args, flags } = await this.parse(AdminReset);
    this.mustBeAbleToConfirm(flags);
    const admin = await this.admin(flags.server);
    const target = await this.resolve(admin, args.id);
    await this.confirm(flags, cliTexts()('admin.confirmReset', { account: named(target) }));
    const { message: said } = await admin.forcePasswordReset(target.id);
    const message = `${named(target)}: ${said}`;
    this.log(`${named(target)}: ${serverOr(said, cliTexts()('admin.reset'))}`);
    return { message, server: flags.server, id: target.id, username: target.username };
  }
}
