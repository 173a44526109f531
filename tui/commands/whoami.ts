import type { MeBody } from '../../server/protocol.js';
import { ServerCommand } from '../cli/server-command.js';
import { Mux1Error } from '../client/errors.js';
import { safeText } from '../client/safe-text.js';
import { isPersonalAccessToken } from '../client/tokens.js';
import { CliError } from '../cli/errors.js';
import { cliTexts } from '../cli/texts.js';

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
        throw new CliError('insufficient_scope', (t) => t('whoami.noProfileScope'));
      }
      throw err;
    });
    const { user } = me;
    // Servers from before tokens leave it out.
    const credential = me.credential as MeBody['credential'] | undefined;
    const t = cliTexts();
    const who = { username: user.username, email: user.email, server: flags.server };
    const lines = [active.source === 'env' ? t('whoami.userFromEnv', who) : t('whoami.user', who)];
    if (credential?.type === 'token') {
      const expires = credential.expires_at
        ? t('tokens.expires', { day: credential.expires_at.slice(0, 10) })
        : t('tokens.neverExpires');
      lines.push(
        t('whoami.token', {
          id: credential.id,
          name: safeText(credential.name),
          scopes: credential.scopes.join(' '),
          expires,
        }),
      );
    }
    this.log(lines.join('\n'));
    return { server: flags.server, user, token_source: active.source, ...(credential && { credential }) };
  }
}
