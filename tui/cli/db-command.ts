import type { DatabaseChoice } from '../../server/store/admin.js';
import { DatabaseCommand } from './database-command.js';
import { CliError } from './errors.js';

/**
 * A `mux1 db ...` command: the database chosen by DatabaseCommand's flags, the work the server's
 * own (server/store/admin.ts).
 */
export abstract class DbCommand extends DatabaseCommand {
  /** Runs one of server/store/admin.ts's operations, its failures as the CLI's errors. */
  protected admin<T>(
    flags: { db?: string; config?: string },
    run: (admin: typeof import('../../server/store/admin.js'), choice: DatabaseChoice) => Promise<T>,
  ): Promise<T> {
    return this.inDatabase(
      flags,
      () => import('../../server/store/admin.js'),
      run,
      (err, admin) => {
        if (err instanceof admin.DatabaseError) return new CliError('database_error', err.message);
        if (err instanceof admin.BackupError) return new CliError(err.code, err.message, err.exitCode);
        return undefined;
      },
    );
  }
}
