import type { DatabaseChoice } from '../../server/store/admin.js';
import type { Mux1Code } from '../client/errors.js';
import { DatabaseCommand } from './database-command.js';
import { CliError } from './errors.js';

/**
 * `mux1 admin grant` and `mux1 admin create`: the database chosen as `mux1 db` chooses it
 * (DatabaseCommand), with the server's own rules (server/operator.ts).
 */
export abstract class OperatorCommand extends DatabaseCommand {
  /** Runs one of server/operator.ts's operations, its refusals as the CLI's errors. */
  protected operator<T>(
    flags: { db?: string; config?: string },
    run: (operator: typeof import('../../server/operator.js'), choice: DatabaseChoice) => Promise<T>,
  ): Promise<T> {
    return this.inDatabase(
      flags,
      () => import('../../server/operator.js'),
      run,
      (err, operator) =>
        err instanceof operator.OperatorError
          ? new CliError(err.code as Mux1Code, err.message, err.exitCode, { field: err.field })
          : undefined,
    );
  }
}
