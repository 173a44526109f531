import { Mux1Error } from '../client/errors.js';
import { ServerCommand } from '../cli/server-command.js';
import { UsageError } from '../cli/errors.js';
import { isPersonalAccessToken } from '../client/tokens.js';
import { cliTexts, englishTexts, type Words } from '../cli/texts.js';

export default class Logout extends ServerCommand {
  static override summary = 'End the session on the server and delete its credentials';
  static override description =
    'Revokes the session server-side first. With MUX1_TOKEN set, that token is revoked and the stored ' +
    'session is left alone unless it holds the same token. Logging out when not logged in succeeds.';
  static override examples = [
    '<%= config.bin %> logout',
    '<%= config.bin %> logout --server https://chat.example.com',
  ];

  async run() {
    const { flags } = await this.parse(Logout);
    const { activeToken, loadSession, removeSession } = await this.credentials();
    const active = await activeToken(flags.server);
    if (!active) {
      const values = { server: flags.server };
      const message = englishTexts('logout.notLoggedIn', values);
      this.log(cliTexts()('logout.notLoggedIn', values));
      return { message, server: flags.server, revoked: false };
    }
    if (active.source === 'env' && isPersonalAccessToken(active.token)) {
      // A token is no session: it ends when it is revoked, from a login, not by itself.
      const bin = this.config.bin;
      throw new UsageError((t) => t('logout.tokenNotEnded', { bin }), 'token_not_allowed');
    }
    const rest = await this.rest(flags.server, active.token);
    let revoked = true;
    try {
      await rest.logout();
    } catch (err) {
      // Already expired or revoked elsewhere: the goal - no live session here - is met.
      // Any other failure keeps the file, so the user can retry once the server is back.
      if (!(Mux1Error.is(err) && err.code === 'unauthorized')) throw err;
      revoked = false;
    }
    const stored = active.source === 'file' ? active.session : await loadSession(flags.server);
    const removed = stored?.token === active.token ? await removeSession(flags.server) : false;
    const said: Words = (t) =>
      revoked
        ? t('logout.done', { server: flags.server })
        : t('logout.alreadyEnded', { server: flags.server });
    const message = said(englishTexts);
    this.log(said(cliTexts()));
    return { message, server: flags.server, revoked, removed_file: removed };
  }
}
