import { AdminCommand, named, userArg } from '../../cli/admin-command.js';
import { cliTexts, englishTexts } from '../../cli/texts.js';

export default class AdminEnable extends AdminCommand {
  static override summary = 'Enable a disabled account: its owner can sign in again';
  static override description =
    'Admins only. Sessions and tokens that ended when it was disabled stay ended.';
  static override examples = [
    '<%= config.bin %> admin enable alice',
    '<%= config.bin %> admin enable 42 --json',
  ];
  static override args = { id: userArg };

  async run() {
    const { args, flags } = await this.parse(AdminEnable);
    const admin = await this.admin(flags.server);
    const target = await this.resolve(admin, args.id);
    const { user } = await admin.updateUser(target.id, { disabled: false });
    const message = englishTexts('admin.enabled', { account: named(user) });
    this.log(cliTexts()('admin.enabled', { account: named(user) }));
    return { message, server: flags.server, user };
  }
}
