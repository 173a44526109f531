import { ServerCommand } from '../cli/server-command.js';
import { roomLine } from '../cli/message-lines.js';
import { CHAT } from '../../server/protocol.js';

export default class Rooms extends ServerCommand {
  static override summary = 'List your rooms and direct messages with their unread and mention counts';
  static override description =
    'The lobby, every room you have read in, and every direct conversation, with how many ' +
    `messages by others you have not read (counted up to ${CHAT.unreadMax}) and how many of them ` +
    'mention you. Reading a room with the TUI or the page moves its marker.';
  static override examples = ['<%= config.bin %> rooms', '<%= config.bin %> rooms --json'];

  async run() {
    const { flags } = await this.parse(Rooms);
    const active = await this.requireToken(flags.server);
    const { withChatRoom } = await import('../cli/chat-session.js');
    const rooms = await withChatRoom(await this.dial(flags.server), active.token, CHAT.defaultRoom, (chat) =>
      chat.roomStates(),
    );
    this.log(rooms.map(roomLine).join('\n'));
    return { server: flags.server, rooms };
  }
}
