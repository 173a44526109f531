import { Args, Flags } from '@oclif/core';
import { DbCommand } from '../../cli/db-command.js';
import { cliTexts, numberText } from '../../cli/texts.js';

export default class DbBackup extends DbCommand {
  static override summary = 'Write a consistent copy of the live SQLite database to FILE, and check it';
  static override description =
    'Safe while the server runs: the copy is the database as of one instant (SQLite VACUUM INTO), whatever ' +
    'the server writes meanwhile. The copy is then checked (integrity_check, migrations) before it takes ' +
    'the name FILE. PostgreSQL databases are backed up with pg_dump; the command says how.';
  static override examples = [
    '<%= config.bin %> db backup ./backups/mux1-$(date +%F).sqlite',
    '<%= config.bin %> db backup /var/backups/mux1.sqlite --db ./data/mux1.sqlite --force --json',
  ];
  static override args = {
    file: Args.string({ description: 'Where the backup goes; its folder must exist.', required: true }),
  };
  static override flags = {
    ...DbCommand.flags,
    force: Flags.boolean({ summary: 'Replace FILE when it exists.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DbBackup);
    const done = await this.admin(flags, (admin, choice) =>
      admin.backup(choice, args.file, { force: flags.force }),
    );
    const t = cliTexts();
    this.result(done, [
      t('db.backedUp', {
        database: done.database,
        file: done.file,
        bytes: numberText(done.bytes),
        ms: done.ms,
      }),
      t('db.integrityOk', { migration: done.migration ?? t('db.none') }),
    ]);
  }
}
