import { Flags } from '@oclif/core';
import { CHAT } from '../../server/protocol.js';
import { roomFlag, userFlag } from '../cli/input.js';
import { messageLine, roomLabel } from '../cli/message-lines.js';
import { ServerCommand } from '../cli/server-command.js';
import { cliTexts } from '../cli/texts.js';

export default class History extends ServerCommand {
  static override summary = "Print a room's latest messages, or a direct conversation's, oldest first";
  static override description =
    'Each line starts with the message id (for edit and delete). Names and texts are printed as ' +
    "plain text: other people's escape sequences, control and bidirectional characters are " +
    'removed, line breaks become spaces. --json gives them as sent.';
  static override examples = [
    '<%= config.bin %> history',
    '<%= config.bin %> history --room ops --limit 20 --json',
    '<%= config.bin %> history --with alice',
  ];
  static override flags = {
    room: { ...roomFlag, exclusive: ['with'] },
    with: userFlag('The direct messages with this user (by username) instead of a room.', 'with'),
    limit: Flags.integer({
      summary: `How many messages, 1-${CHAT.historyMax}.`,
      default: CHAT.historyDefault,
      min: 1,
      max: CHAT.historyMax,
    }),
  };

  async run() {
    const { flags } = await this.parse(History);
    const active = await this.requireToken(flags.server);
    const { withChatRoom } = await import('../cli/chat-session.js');
    const room = flags.with ? undefined : (flags.room ?? CHAT.defaultRoom);
    const messages = await withChatRoom(
      await this.dial(flags.server),
      active.token,
      room ?? CHAT.defaultRoom,
      (chat) => chat.history(room ? { room, limit: flags.limit } : { with: flags.with, limit: flags.limit }),
    );
    const t = cliTexts();
    const empty = room
      ? t('history.emptyRoom', { room: roomLabel(room) })
      : t('history.emptyConversation', { with: flags.with });
    this.log(messages.length > 0 ? messages.map((m) => messageLine(m)).join('\n') : empty);
    return { ...(room ? { room } : { with: flags.with }), server: flags.server, messages };
  }
}
