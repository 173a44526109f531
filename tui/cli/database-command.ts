import { Flags } from '@oclif/core';
import type { DatabaseChoice } from '../../server/store/admin.js';
import { jsonFlag, Mux1Command } from './base-command.js';
import { debugEnabled, UsageError } from './errors.js';

/**
 * A command that works straight in the server's database on the server's machine (`mux1 db ...`,
 * `mux1 admin grant|create`): its flags choose the database as `mux1 server` would (--db above
 * DATABASE_URL above --config), and the server's code that does the work is loaded only when the
 * command runs, so `mux1 --help` stays light.
 */
export abstract class DatabaseCommand extends Mux1Command {
  static override baseFlags = { json: jsonFlag };
  static override flags = {
    db: Flags.string({ summary: 'SQLite path, sqlite: URL or postgres:// URL (DATABASE_URL).' }),
    config: Flags.string({ summary: 'JSON settings file, as for mux1 server.' }),
  };

  /**
   * Loads `entry` (the server's module for the work), runs `run` with it and the database the
   * flags choose, Knex's own warnings going to stderr under DEBUG only. A configuration problem is
   * a usage error (`invalid_config`); `refusal` turns the module's own errors into the CLI's.
   */
  protected async inDatabase<M, T>(
    flags: { db?: string; config?: string },
    entry: () => Promise<M>,
    run: (module: M, choice: DatabaseChoice) => Promise<T>,
    refusal: (err: unknown, module: M) => Error | undefined,
  ): Promise<T> {
    const [{ ConfigError }, module] = await Promise.all([import('../../config/index.js'), entry()]);
    const choice: DatabaseChoice = {
      configFile: flags.config,
      databaseUrl: flags.db,
      knexLog: (...args) => {
        if (debugEnabled()) console.error(...args);
      },
    };
    try {
      return await run(module, choice);
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message, 'invalid_config');
      throw refusal(err, module) ?? err;
    }
  }
}
