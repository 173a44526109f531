import { Mux1Error } from '../client/errors.js';
import { ServerCommand } from '../cli/server-command.js';
import { UsageError } from '../cli/errors.js';
import { isPersonalAccessToken } from '../client/tokens.js';

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
      const message = `Not logged in to ${flags.server}.`;
      this.log(message);
      return { message, server: flags.server, revoked: false };
    }
    if (active.source === 'env' && isPersonalAccessToken(active.token)) {
      // A token is no session: it ends when it is revoked, from a login, not by itself.
      throw new UsageError(
        `MUX1_TOKEN holds a personal access token, which logout does not end: revoke it with ` +
          `'${this.config.bin} tokens revoke ID' from your login, and unset MUX1_TOKEN`,
        'token_not_allowed',
      );
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
    const message = revoked
      ? `Logged out of ${flags.server}.`
      : `The session had already ended on ${flags.server}; logged out.`;
    this.log(message);
    return { message, server: flags.server, revoked, removed_file: removed };
  }
}
