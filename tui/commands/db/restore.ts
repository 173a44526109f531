import { Args } from '@oclif/core';
import { DbCommand } from '../../cli/db-command.js';
import { cliTexts, numberText } from '../../cli/texts.js';

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
    const t = cliTexts();
    this.result(done, [
      t('db.restored', {
        database: done.database,
        file: done.file,
        bytes: numberText(done.bytes),
        migration: done.migration ?? t('db.none'),
      }),
      done.keptAside ? t('db.keptAside', { file: done.keptAside }) : t('db.nothingReplaced'),
      ...(done.pending.length > 0 ? [t('db.newerPending', { count: done.pending.length })] : []),
    ]);
  }
}
