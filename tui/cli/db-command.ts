import { Flags } from '@oclif/core';
import type { DatabaseChoice } from '../../server/store/admin.js';
import { jsonFlag, Mux1Command } from './base-command.js';
import { CliError, debugEnabled, UsageError } from './errors.js';

/**
 * A `mux1 db ...` command: its flags choose the database as `mux1 server` would, and the work is
 * the server's own (server/store/admin.ts), loaded only when the command runs.
 */
export abstract class DbCommand extends Mux1Command {
  static override baseFlags = { json: jsonFlag };
  static override flags = {
    db: Flags.string({ summary: 'SQLite path, sqlite: URL or postgres:// URL (DATABASE_URL).' }),
    config: Flags.string({ summary: 'JSON settings file, as for mux1 server.' }),
  };

  /** Runs one of server/store/admin.ts's operations, its failures as the CLI's errors. */
  protected async admin<T>(
    flags: { db?: string; config?: string },
    run: (admin: typeof import('../../server/store/admin.js'), choice: DatabaseChoice) => Promise<T>,
  ): Promise<T> {
    const [{ ConfigError }, admin] = await Promise.all([
      import('../../config/index.js'),
      import('../../server/store/admin.js'),
    ]);
    const choice: DatabaseChoice = {
      configFile: flags.config,
      databaseUrl: flags.db,
      knexLog: (...args) => {
        if (debugEnabled()) console.error(...args);
      },
    };
    try {
      return await run(admin, choice);
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message, 'invalid_config');
      if (err instanceof admin.DatabaseError) throw new CliError('database_error', err.message);
      if (err instanceof admin.BackupError) throw new CliError(err.code, err.message, err.exitCode);
      throw err;
    }
  }
}
