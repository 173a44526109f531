import { Args } from '@oclif/core';
import { CHAT, messageProblem } from '../../server/protocol.js';
import { UsageError } from '../cli/errors.js';
import { messageIdArg } from '../cli/input.js';
import { ServerCommand } from '../cli/server-command.js';
import { cliTexts, ruleWords } from '../cli/texts.js';

export default class Edit extends ServerCommand {
  static override summary = 'Change the text of one of your messages';
  static override description =
    'Everyone who can read the message sees the new text, marked as edited. Only your own messages ' +
    'can be edited.';
  static override examples = ["<%= config.bin %> edit 42 'deploy finished at 14:05'"];
  static override args = {
    id: messageIdArg,
    text: Args.string({
      description: 'The new text.',
      required: true,
      parse: async (input) => {
        const wrong = messageProblem(input);
        if (wrong) throw new UsageError(ruleWords(wrong), 'invalid_field', { field: 'text' });
        return input;
      },
    }),
  };

  async run() {
    const { args, flags } = await this.parse(Edit);
    const active = await this.requireToken(flags.server);
    const { withChatRoom } = await import('../cli/chat-session.js');
    const edited = await withChatRoom(await this.dial(flags.server), active.token, CHAT.defaultRoom, (chat) =>
      chat.edit(args.id, args.text),
    );
    this.log(cliTexts()('edit.done', { id: args.id }));
    return { ok: true, id: args.id, edited_at: edited.edited_at, server: flags.server };
  }
}
