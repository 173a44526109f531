import { ServerCommand } from '../../cli/server-command.js';
import { safeText } from '../../client/safe-text.js';
import type { TokenInfo } from '../../client/tokens.js';

export default class TokensList extends ServerCommand {
  static override tokenForbidden = 'manage tokens';
  static override summary = 'List your personal access tokens (never the tokens themselves)';
  static override description =
    'Each shows its id, name, scopes, when it was made, when it expires and when it was last used. ' +
    'Revoke one with `tokens revoke ID`.';
  static override examples = ['<%= config.bin %> tokens list', '<%= config.bin %> tokens list --json'];

  async run() {
    const { flags } = await this.parse(TokensList);
    const active = await this.requireToken(flags.server);
    const { tokens } = await (await this.rest(flags.server, active.token)).listTokens();
    if (tokens.length === 0) {
      this.log(`No tokens on ${flags.server}. Create one with '${this.config.bin} tokens create'.`);
    } else {
      const idWidth = Math.max(2, ...tokens.map((t) => String(t.id).length));
      this.log(
        [
          `${'ID'.padEnd(idWidth)}  ${'NAME'.padEnd(NAME_WIDTH)}  ${'SCOPES'.padEnd(34)}  ${'CREATED'.padEnd(10)}  ` +
            `${'EXPIRES'.padEnd(10)}  LAST USED`,
          ...tokens.map((t) => line(t, idWidth)),
        ].join('\n'),
      );
    }
    return { server: flags.server, tokens };
  }
}

const NAME_WIDTH = 20;

const day = (iso: string | null, none: string) => (iso ? iso.slice(0, 10) : none);

/** The name is what someone typed: made safe for the terminal and cut to keep the columns. */
function cut(text: string, width: number): string {
  const chars = [...safeText(text)];
  return chars.length > width ? chars.slice(0, width - 1).join('') + '…' : chars.join('').padEnd(width);
}

const line = (t: TokenInfo, idWidth: number) =>
  `${String(t.id).padEnd(idWidth)}  ${cut(t.name, NAME_WIDTH)}  ${t.scopes.join(' ').padEnd(34)}  ` +
  `${day(t.created_at, '-')}  ${day(t.expires_at, 'never').padEnd(10)}  ${day(t.last_used_at, 'never')}`;
