import { Flags } from '@oclif/core';
import { Mux1Command } from '../cli/base-command.js';

export default class Server extends Mux1Command {
  static override summary = 'Run the mux1 server in the foreground';
  static override enableJsonFlag = false;
  static override description =
    'Settings resolve as defaults < --config file < environment (PORT, HOST, DATABASE_URL, SMTP_URL, ...) < flags. ' +
    'Without SMTP_URL, mail goes to the development mailbox: it is printed here, codes included. ' +
    'SIGINT or SIGTERM shuts the server down cleanly.';
  static override examples = [
    '<%= config.bin %> server',
    '<%= config.bin %> server --port 8080 --db ./data/chat.sqlite',
    '<%= config.bin %> server --host 0.0.0.0 --db postgres://mux1@db/mux1',
  ];
  static override flags = {
    port: Flags.integer({ summary: 'Port to listen on (PORT, default 5000; 0 picks a free one).' }),
    host: Flags.string({ summary: 'Address to listen on (HOST, default 127.0.0.1).' }),
    db: Flags.string({ summary: 'SQLite path, sqlite: URL or postgres:// URL (DATABASE_URL).' }),
    config: Flags.string({ summary: 'JSON file of settings, below the environment in precedence.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Server);
    // Loaded here, not at the top, so `mux1 --help` never pays for the server's imports.
    const { runServer } = await import('../../server/run.js');
    await runServer({
      configFile: flags.config,
      flags: { port: flags.port, host: flags.host, databaseUrl: flags.db },
      flagNames: { databaseUrl: 'db' },
    });
  }
}
