import { Flags } from '@oclif/core';
import type { Db } from '../../server/store/db.js';
import { jsonFlag, Mux1Command } from './base-command.js';
import { debugEnabled } from './debug.js';
import { CliError, UsageError } from './errors.js';

/**
 * A `mux1 db ...` command: finds the database exactly as `mux1 server` would (defaults < --config
 * file < DATABASE_URL < --db), so an operator migrates the database the server will open.
 */
export abstract class DbCommand extends Mux1Command {
  static override baseFlags = { json: jsonFlag };
  static override flags = {
    db: Flags.string({ summary: 'SQLite path, sqlite: URL or postgres:// URL (DATABASE_URL).' }),
    config: Flags.string({ summary: 'JSON settings file, as for mux1 server.' }),
  };

  /** Opens the database, runs `work`, and always closes it so the process can exit. */
  protected async withDatabase<T>(
    flags: { db?: string; config?: string },
    work: (db: Db, store: typeof import('../../server/store/db.js'), shown: string) => Promise<T>,
  ): Promise<T> {
    const [{ loadServerConfig, ConfigError }, store] = await Promise.all([
      import('../../config/index.js'),
      import('../../server/store/db.js'),
    ]);
    let url: string;
    try {
      url = loadServerConfig({ configFile: flags.config, flags: { databaseUrl: flags.db } }).databaseUrl;
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message, 'invalid_config');
      throw err;
    }
    // Never print a PostgreSQL password.
    const shown = url.replace(/\/\/[^@/]*@/, '//***@');
    // Knex prints its warnings ("Acquire connection error ...") with console.log, which would
    // break --json's single object on stdout; the failure itself still surfaces as the error.
    const consoleLog = console.log;
    console.log = (...args: unknown[]) => {
      if (debugEnabled()) console.error(...args);
    };
    const db = store.openDatabase(url);
    try {
      return await work(db, store, shown);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError('database_error', `${shown}: ${(err as Error).message}`);
    } finally {
      await db.destroy();
      console.log = consoleLog;
    }
  }
}
