import { ServerCommand } from '../cli/server-command.js';
import { CliError } from '../cli/errors.js';

export default class Health extends ServerCommand {
  static override summary = "Check the server's health; exit 1 when unhealthy or unreachable";
  static override examples = [
    '<%= config.bin %> health',
    '<%= config.bin %> health --server http://10.0.0.5:5000 --json',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(Health);
    const rest = await this.rest(flags.server);
    const health = await rest.health();
    if (health.status !== 'healthy') {
      throw new CliError(
        'unhealthy',
        `The server at ${flags.server} is unhealthy (database: ${health.database})`,
      );
    }
    this.result(
      { server: flags.server, ...health },
      `${flags.server} is healthy: database ${health.database}, version ${health.version}, up ${health.uptime_s} s`,
    );
  }
}
