import { AdminCommand, named, userArg, yesFlag } from '../../cli/admin-command.js';
import { cliTexts, englishTexts } from '../../cli/texts.js';

export default class AdminDelete extends AdminCommand {
  static override summary = 'Delete an account for good, as its owner deleting it would; the owner is mailed';
  static override description =
    'Admins only. Its messages stay, shown as from a deleted user. The last enabled admin cannot be ' +
    'deleted (last_admin). Asks for confirmation on a terminal; scripts add --yes.';
  static override examples = [
    '<%= config.bin %> admin delete spammer42',
    '<%= config.bin %> admin delete 42 --yes --json',
  ];
  static override args = { id: userArg };
  static override flags = { yes: yesFlag };

  async run() {
    const { args, flags } = await this.parse(AdminDelete);
    this.mustBeAbleToConfirm(flags);
    const admin = await this.admin(flags.server);
    const target = await this.resolve(admin, args.id);
    const who = { account: named(target) };
    await this.confirm(flags, cliTexts()('admin.confirmDelete', who));
    await admin.deleteUser(target.id);
    const message = englishTexts('admin.deleted', who);
    this.log(cliTexts()('admin.deleted', who));
    return { message, server: flags.server, id: target.id, username: target.username };
  }
}
