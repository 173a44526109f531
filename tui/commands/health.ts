import { ServerCommand } from '../cli/server-command.js';
import { cliTexts } from '../cli/texts.js';
import { CliError } from '../cli/errors.js';

export default class Health extends ServerCommand {
  static override summary = "Check the server's health; exit 1 when unhealthy or unreachable";
  static override examples = [
    '<%= config.bin %> health',
    '<%= config.bin %> health --server http://10.0.0.5:5000 --json',
  ];

  async run() {
    const { flags } = await this.parse(Health);
    const health = await (await this.rest(flags.server)).health();
    if (health.status !== 'healthy') {
      const values = { server: flags.server, database: health.database };
      throw new CliError('unhealthy', (t) => t('health.unhealthy', values));
    }
    this.log(
      cliTexts()('health.healthy', {
        server: flags.server,
        database: health.database,
        version: health.version,
        uptime: health.uptime_s,
      }),
    );
    return { server: flags.server, ...health };
  }
}
