import { Args } from '@oclif/core';
import { UsageError } from '../../cli/errors.js';
import { ServerCommand } from '../../cli/server-command.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, englishTexts } from '../../cli/texts.js';

export default class KeysRemove extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageSshKeys');
  static override summary = 'Remove an SSH key: it no longer logs in';
  static override description =
    'Ids come from `keys list`; an id that is not one of your keys is not_found. Sessions the key ' +
    'opened stay: end them with `sessions revoke`.';
  static override examples = ['<%= config.bin %> keys remove key_0123456789abcdef0123456789abcdef'];
  static override args = {
    id: Args.string({
      description: 'The id of the key, as `keys list` shows it.',
      required: true,
      parse: async (input) => {
        const id = input.trim();
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
          const shown = id.slice(0, 64);
          throw new UsageError((t) => t('keys.notAnId', { id: shown }), 'invalid_field', { field: 'id' });
        }
        return id;
      },
    }),
  };

  async run() {
    const { args, flags } = await this.parse(KeysRemove);
    const active = await this.requireToken(flags.server);
    await (await this.rest(flags.server, active.token)).removeSshKey(args.id);
    const message = englishTexts('keys.removed', { id: args.id });
    this.log(cliTexts()('keys.removed', { id: args.id }));
    return { message, server: flags.server, id: args.id };
  }
}
