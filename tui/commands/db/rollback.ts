import { DbCommand } from '../../cli/db-command.js';
import { cliTexts } from '../../cli/texts.js';

export default class DbRollback extends DbCommand {
  static override summary = 'Undo the last batch of migrations, to step back a release';
  static override description =
    'Reverts the migrations applied by the last `db migrate` (or server start that migrated). What those ' +
    'migrations created is dropped, data included: back the database up first. Stop the server before.';
  static override examples = ['<%= config.bin %> db rollback --db ./data/mux1.sqlite'];

  async run(): Promise<void> {
    const { flags } = await this.parse(DbRollback);
    const { database, reverted, pending } = await this.admin(flags, (admin, choice) =>
      admin.rollbackLast(choice),
    );
    this.result(
      { database, reverted, pending },
      reverted.length === 0
        ? cliTexts()('db.nothingToRollBack', { database })
        : [...reverted.map((m) => `reverted ${m}`), cliTexts()('db.reapply', { bin: this.config.bin })],
    );
  }
}
