import type { MeBody } from '../../server/protocol.js';
import { ServerCommand } from '../cli/server-command.js';
import { Mux1Error } from '../client/errors.js';
import { safeText } from '../client/safe-text.js';
import { isPersonalAccessToken } from '../client/tokens.js';
import { CliError } from '../cli/errors.js';

export default class Whoami extends ServerCommand {
  static override summary = 'Show whose session or token is in use, as the server sees it';
  static override description =
    'On a personal access token (MUX1_TOKEN), it also names the token and its scopes; that needs ' +
    'the profile:read scope.';
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --json'];

  async run() {
    const { flags } = await this.parse(Whoami);
    const active = await this.requireToken(flags.server);
    const rest = await this.rest(flags.server, active.token);
    const me = await rest.me().catch((err: unknown) => {
      if (Mux1Error.is(err) && err.code === 'insufficient_scope' && isPersonalAccessToken(active.token)) {
        throw new CliError(
          'insufficient_scope',
          'MUX1_TOKEN is a personal access token without the profile:read scope, so the server will ' +
            'not say whose it is; it still works for what its scopes allow',
        );
      }
      throw err;
    });
    const { user } = me;
    // Servers from before tokens leave it out.
    const credential = me.credential as MeBody['credential'] | undefined;
    const via = active.source === 'env' ? ' (token from MUX1_TOKEN)' : '';
    const lines = [`${user.username} <${user.email}> on ${flags.server}${via}`];
    if (credential?.type === 'token') {
      const expires = credential.expires_at
        ? `expires ${credential.expires_at.slice(0, 10)}`
        : 'never expires';
      lines.push(
        `Personal access token ${credential.id} '${safeText(credential.name)}': ` +
          `${credential.scopes.join(' ')} (${expires})`,
      );
    }
    this.log(lines.join('\n'));
    return { server: flags.server, user, token_source: active.source, ...(credential && { credential }) };
  }
}
