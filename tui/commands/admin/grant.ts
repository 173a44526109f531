import { Args } from '@oclif/core';
import { ROLES } from '../../../server/protocol.js';
import { OperatorCommand } from '../../cli/operator-command.js';
import { cliTexts, englishTexts, type Words } from '../../cli/texts.js';

export default class AdminGrant extends OperatorCommand {
  static override summary =
    'Give an account a role (user, moderator, admin), straight in the server database';
  static override description =
    'Run on the server machine, with the database the server uses (--db, --config or DATABASE_URL, as ' +
    'for `mux1 db`): this is how the first admin is made. Demoting the last enabled admin is refused. ' +
    'A signed-in user gets the new role when they next sign in or reconnect. Over the network, admins ' +
    'use `mux1 admin role ID ROLE` instead.';
  static override examples = [
    '<%= config.bin %> admin grant alice admin --db ./data/mux1.sqlite',
    '<%= config.bin %> admin grant bob moderator --db postgres://mux1@db/mux1 --json',
  ];
  static override args = {
    username: Args.string({ description: 'The account, by username.', required: true }),
    role: Args.string({ description: `One of ${ROLES.join(', ')}.`, required: true, options: [...ROLES] }),
  };

  async run() {
    const { args, flags } = await this.parse(AdminGrant);
    const done = await this.operator(flags, (op, choice) => op.grantRole(choice, args.username, args.role));
    const values = {
      username: done.user.username,
      role: done.user.role,
      previous: done.previous,
      database: done.database,
    };
    const said: Words = (t) => (done.changed ? t('admin.granted', values) : t('admin.alreadyRole', values));
    const message = said(englishTexts);
    this.log(said(cliTexts()));
    return { message, ...done };
  }
}
