import { Args } from '@oclif/core';
import { ROLES, type Role } from '../../../server/protocol.js';
import { AdminCommand, named, userArg, yesFlag } from '../../cli/admin-command.js';
import { cliTexts, englishTexts } from '../../cli/texts.js';

export default class AdminRole extends AdminCommand {
  static override summary = 'Give an account a role: user, moderator or admin';
  static override description =
    'Admins only. The account is disconnected and signs in again with the new role. The last enabled ' +
    'admin cannot be demoted (last_admin). Asks for confirmation on a terminal; scripts add --yes.';
  static override examples = [
    '<%= config.bin %> admin role alice moderator',
    '<%= config.bin %> admin role 42 admin --yes --json',
  ];
  static override args = {
    id: userArg,
    role: Args.string({ description: `One of ${ROLES.join(', ')}.`, required: true, options: [...ROLES] }),
  };
  static override flags = { yes: yesFlag };

  async run() {
    const { args, flags } = await this.parse(AdminRole);
    this.mustBeAbleToConfirm(flags);
    const admin = await this.admin(flags.server);
    const target = await this.resolve(admin, args.id);
    const role = args.role as Role;
    const t = cliTexts();
    const asked = { account: named(target), role, now: target.role };
    await this.confirm(
      flags,
      role === 'admin' ? t('admin.confirmRoleAn', asked) : t('admin.confirmRole', asked),
    );
    const { user } = await admin.updateUser(target.id, { role });
    const values = { account: named(user), role: user.role, previous: target.role };
    const message = englishTexts('admin.roleChanged', values);
    this.log(t('admin.roleChanged', values));
    return { message, server: flags.server, user, previous: target.role };
  }
}
