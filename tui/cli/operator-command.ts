import { Flags } from '@oclif/core';
import type { DatabaseChoice } from '../../server/store/admin.js';
import type { Mux1Code } from '../client/errors.js';
import { jsonFlag, Mux1Command } from './base-command.js';
import { CliError, debugEnabled, UsageError } from './errors.js';

/**
 * `mux1 admin grant` and `mux1 admin create`: straight in the server's database, chosen as
 * `mux1 db` chooses it (--db, --config, DATABASE_URL), with the server's own rules
 * (server/operator.ts), loaded only when the command runs so `mux1 --help` stays light.
 */
export abstract class OperatorCommand extends Mux1Command {
  static override baseFlags = { json: jsonFlag };
  static override flags = {
    db: Flags.string({ summary: 'SQLite path, sqlite: URL or postgres:// URL (DATABASE_URL).' }),
    config: Flags.string({ summary: 'JSON settings file, as for mux1 server.' }),
  };

  /** Runs one of server/operator.ts's operations, its refusals as the CLI's errors. */
  protected async operator<T>(
    flags: { db?: string; config?: string },
    run: (operator: typeof import('../../server/operator.js'), choice: DatabaseChoice) => Promise<T>,
  ): Promise<T> {
    const [{ ConfigError }, operator] = await Promise.all([
      import('../../config/index.js'),
      import('../../server/operator.js'),
    ]);
    const choice: DatabaseChoice = {
      configFile: flags.config,
      databaseUrl: flags.db,
      knexLog: (...args) => {
        if (debugEnabled()) console.error(...args);
      },
    };
    try {
      return await run(operator, choice);
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message, 'invalid_config');
      if (err instanceof operator.OperatorError) {
        throw new CliError(err.code as Mux1Code, err.message, err.exitCode, { field: err.field });
      }
      throw err;
    }
  }
}
