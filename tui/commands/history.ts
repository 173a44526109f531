import { Flags } from '@oclif/core';
import { CHAT } from '../../server/protocol.js';
import { safeText } from '../client/safe-text.js';
import { roomFlag } from '../cli/input.js';
import { ServerCommand } from '../cli/server-command.js';

export default class History extends ServerCommand {
  static override summary = "Print a room's latest messages, oldest first";
  static override description =
    "Names and texts are printed as plain text: other people's escape sequences, control and " +
    'bidirectional characters are removed, line breaks become spaces. --json gives them as sent.';
  static override examples = [
    '<%= config.bin %> history',
    '<%= config.bin %> history --room ops --limit 20 --json',
  ];
  static override flags = {
    room: roomFlag,
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
    const messages = await withChatRoom(await this.dial(flags.server), active.token, flags.room, (chat) =>
      chat.history({ room: flags.room, limit: flags.limit }),
    );
    const lines = messages.map((m) => {
      // Local time as YYYY-MM-DD HH:MM:SS: the Swedish locale happens to write dates the ISO way.
      const time = new Date(m.ts).toLocaleString('sv-SE');
      return `${time}  ${m.user ? safeText(m.user.username) : '(deleted user)'}: ${safeText(m.text)}`;
    });
    this.log(lines.length > 0 ? lines.join('\n') : `No messages in #${flags.room} yet.`);
    return { room: flags.room, server: flags.server, messages };
  }
}
