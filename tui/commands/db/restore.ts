import { Args } from '@oclif/core';
import { DbCommand } from '../../cli/db-command.js';

export default class DbRestore extends DbCommand {
  static override summary = 'Replace the SQLite database with a backup made by `db backup`';
  static override description =
    'Checks the backup first (integrity_check, migrations this release knows) and refuses while a server ' +
    'has the database open: stop it, restore, start it again. The replaced database is kept beside it as ' +
    '<name>.before-restore-<time>. PostgreSQL databases are restored with pg_restore; the command says how.';
  static override examples = [
    '<%= config.bin %> db restore ./backups/mux1-2026-01-31.sqlite',
    '<%= config.bin %> db restore /var/backups/mux1.sqlite --db ./data/mux1.sqlite --json',
  ];
  static override args = {
    file: Args.string({ description: 'The backup to restore.', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DbRestore);
    const done = await this.admin(flags, (admin, choice) => admin.restore(choice, args.file));
    this.result(done, [
      `Restored ${done.database} from ${done.file} (${done.bytes.toLocaleString('en')} bytes, last migration ${done.migration ?? 'none'}).`,
      done.keptAside
        ? `The database it replaced is kept as ${done.keptAside}.`
        : 'There was no database to replace.',
      ...(done.pending.length > 0
        ? [`The server applies ${done.pending.length} newer migration(s) when it starts.`]
        : []),
    ]);
  }
}
