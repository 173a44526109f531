import { ServerCommand } from '../cli/server-command.js';

export default class Whoami extends ServerCommand {
  static override summary = 'Show whose session is in use, as the server sees it';
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --json'];

  async run() {
    const { flags } = await this.parse(Whoami);
    const active = await this.requireToken(flags.server);
    const { user } = await (await this.rest(flags.server, active.token)).me();
    const via = active.source === 'env' ? ' (token from MUX1_TOKEN)' : '';
    this.log(`${user.username} <${user.email}> on ${flags.server}${via}`);
    return { server: flags.server, user, token_source: active.source };
  }
}
