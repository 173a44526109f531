import { Args } from '@oclif/core';
import { UsageError } from '../../cli/errors.js';
import { ServerCommand } from '../../cli/server-command.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, englishTexts } from '../../cli/texts.js';

export default class TokensRevoke extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageTokens');
  static override summary = 'Revoke a personal access token: it stops working at once';
  static override description =
    'Scripts connected with it are disconnected. Ids come from `tokens list`; an id that is not one ' +
    'of your tokens is not_found.';
  static override examples = ['<%= config.bin %> tokens revoke 12'];
  static override args = {
    id: Args.string({
      description: 'The id of the token, as `tokens list` shows it.',
      required: true,
      parse: async (input) => {
        const id = input.trim();
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
          const shown = id.slice(0, 64);
          throw new UsageError((t) => t('tokens.notAnId', { id: shown }), 'invalid_field', { field: 'id' });
        }
        return id;
      },
    }),
  };

  async run() {
    const { args, flags } = await this.parse(TokensRevoke);
    const active = await this.requireToken(flags.server);
    await (await this.rest(flags.server, active.token)).revokeToken(args.id);
    const message = englishTexts('tokens.revoked', { id: args.id });
    this.log(cliTexts()('tokens.revoked', { id: args.id }));
    return { message, server: flags.server, id: args.id };
  }
}
