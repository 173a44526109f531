import { CHAT } from '../../server/protocol.js';
import { messageIdArg } from '../cli/input.js';
import { ServerCommand } from '../cli/server-command.js';
import { cliTexts } from '../cli/texts.js';

export default class Delete extends ServerCommand {
  static override summary = 'Delete one of your messages';
  static override description =
    'The message leaves history and search for everyone, and your account export. Only your own ' +
    'messages can be deleted.';
  static override examples = ['<%= config.bin %> delete 42', '<%= config.bin %> delete 42 --json'];
  static override args = { id: messageIdArg };

  async run() {
    const { args, flags } = await this.parse(Delete);
    const active = await this.requireToken(flags.server);
    const { withChatRoom } = await import('../cli/chat-session.js');
    await withChatRoom(await this.dial(flags.server), active.token, CHAT.defaultRoom, (chat) =>
      chat.remove(args.id),
    );
    this.log(cliTexts()('delete.done', { id: args.id }));
    return { ok: true, id: args.id, server: flags.server };
  }
}
