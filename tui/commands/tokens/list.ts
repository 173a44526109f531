import { ServerCommand } from '../../cli/server-command.js';
import { safeText } from '../../client/safe-text.js';
import type { TokenInfo } from '../../client/tokens.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts } from '../../cli/texts.js';

export default class TokensList extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageTokens');
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
      this.log(cliTexts()('tokens.none', { server: flags.server, bin: this.config.bin }));
    } else {
      const t = cliTexts();
      const idWidth = Math.max(2, ...tokens.map((token) => String(token.id).length));
      this.log(
        [
          `${t('tokens.id').padEnd(idWidth)}  ${t('tokens.name').padEnd(NAME_WIDTH)}  ` +
            `${t('tokens.scopes').padEnd(34)}  ${t('tokens.createdAt').padEnd(10)}  ` +
            `${t('tokens.expiresAt').padEnd(10)}  ${t('tokens.lastUsed')}`,
          ...tokens.map((token) => line(token, idWidth, t('tokens.never'))),
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

const line = (t: TokenInfo, idWidth: number, never: string) =>
  `${String(t.id).padEnd(idWidth)}  ${cut(t.name, NAME_WIDTH)}  ${t.scopes.join(' ').padEnd(34)}  ` +
  `${day(t.created_at, '-')}  ${day(t.expires_at, never).padEnd(10)}  ${day(t.last_used_at, never)}`;
