import { DbCommand } from '../../cli/db-command.js';
import { cliTexts } from '../../cli/texts.js';

export default class DbStatus extends DbCommand {
  static override summary = 'List applied and pending migrations of the server database';
  static override examples = [
    '<%= config.bin %> db status',
    '<%= config.bin %> db status --db ./data/mux1.sqlite --json',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(DbStatus);
    const { database, done, pending } = await this.admin(flags, (admin, choice) => admin.status(choice));
    this.result({ database, done, pending }, [
      ...done.map((m) => `applied  ${m}`),
      ...pending.map((m) => `pending  ${m}`),
      pending.length === 0
        ? cliTexts()('db.upToDate', { database })
        : cliTexts()('db.pending', { count: pending.length, database, bin: this.config.bin }),
    ]);
  }
}
