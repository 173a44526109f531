import { ServerCommand } from '../cli/server-command.js';

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
      this.error(`The server at ${flags.server} is unhealthy (database: ${health.database})`, {
        exit: 1,
        code: 'unhealthy',
      });
    }
    this.log(
      `${flags.server} is healthy: database ${health.database}, version ${health.version}, up ${health.uptime_s} s`,
    );
    return { server: flags.server, ...health };
  }
}
