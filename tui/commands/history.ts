import { Flags } from '@oclif/core';
import { CHAT } from '../../server/protocol.js';
import { roomFlag } from '../cli/room-flag.js';
import { ServerCommand } from '../cli/server-command.js';
import { terminalSafe } from '../cli/terminal-safe.js';

export default class History extends ServerCommand {
  static override summary = "Print a room's latest messages, oldest first";
  static override examples = [
    '<%= config.bin %> history',
    '<%= config.bin %> history --room ops --limit 20 --json',
  ];
  static override flags = {
    room: roomFlag,
    limit: Flags.integer({
      summary: 'How many messages, at most.',
      default: CHAT.historyDefault,
      min: 1,
      max: CHAT.historyMax,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(History);
    const active = await this.requireToken(flags.server);
    const { withChatRoom } = await import('../cli/chat-session.js');
    const messages = await withChatRoom(await this.dial(flags.server), active.token, flags.room, (chat) =>
      chat.history({ room: flags.room, limit: flags.limit }),
    );
    const lines = messages.map((m) => {
      // Local time as YYYY-MM-DD HH:MM:SS: the Swedish locale happens to write dates the ISO way.
      const time = new Date(m.ts).toLocaleString('sv-SE');
      return `${time}  ${terminalSafe(m.user?.username ?? '(deleted user)')}: ${terminalSafe(m.text)}`;
    });
    this.result(
      { room: flags.room, server: flags.server, messages },
      lines.length > 0 ? lines : `No messages in #${flags.room} yet.`,
    );
  }
}
