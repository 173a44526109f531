import { DbCommand } from '../../cli/db-command.js';
import { cliTexts } from '../../cli/texts.js';

export default class DbMigrate extends DbCommand {
  static override summary = 'Apply pending migrations (the server also does this when it starts)';
  static override description =
    'Creates the database if it does not exist. Safe to run again: with nothing pending it changes nothing.';
  static override examples = [
    '<%= config.bin %> db migrate',
    '<%= config.bin %> db migrate --db postgres://mux1@db/mux1 --json',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(DbMigrate);
    const { database, applied, done } = await this.admin(flags, (admin, choice) => admin.migrate(choice));
    this.result(
      { database, applied, done },
      applied.length === 0
        ? cliTexts()('db.alreadyUpToDate', { database })
        : [...applied.map((m) => `applied  ${m}`), cliTexts()('db.upToDate', { database })],
    );
  }
}
