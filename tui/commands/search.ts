import { Args, Flags } from '@oclif/core';
import { CHAT, roomProblem, searchQueryProblem } from '../../server/protocol.js';
import { UsageError } from '../cli/errors.js';
import { messageLine } from '../cli/message-lines.js';
import { ServerCommand } from '../cli/server-command.js';
import { cliTexts, ruleWords } from '../cli/texts.js';

export default class Search extends ServerCommand {
  static override summary = 'Search the messages you may read, newest first';
  static override description =
    'QUERY is read as words (letters and digits); every word must start a word of the message, ' +
    'case ignored. Quotes, * and operators are ordinary separators. Public rooms and your own ' +
    'direct messages are searched, or only --room.';
  static override examples = [
    '<%= config.bin %> search deploy',
    "<%= config.bin %> search 'backup failed' --room ops --limit 5 --json",
  ];
  static override args = {
    query: Args.string({
      description: `The words to find, at most ${CHAT.searchQueryMax} characters.`,
      required: true,
      parse: async (input) => {
        const wrong = searchQueryProblem(input);
        if (wrong) throw new UsageError(ruleWords(wrong), 'invalid_field', { field: 'query' });
        return input;
      },
    }),
  };
  static override flags = {
    room: Flags.string({
      summary: 'Only this room (a public room or one of your dm:A-B rooms).',
      parse: async (input) => {
        const wrong = roomProblem(input.trim());
        if (wrong) throw new UsageError(ruleWords(wrong), 'invalid_field', { field: 'room' });
        return input.trim();
      },
    }),
    limit: Flags.integer({
      summary: `How many messages, 1-${CHAT.searchMax}.`,
      default: CHAT.searchDefault,
      min: 1,
      max: CHAT.searchMax,
    }),
  };

  async run() {
    const { args, flags } = await this.parse(Search);
    const active = await this.requireToken(flags.server);
    const { withChatRoom } = await import('../cli/chat-session.js');
    const messages = await withChatRoom(
      await this.dial(flags.server),
      active.token,
      CHAT.defaultRoom,
      (chat) => chat.search({ query: args.query, room: flags.room, limit: flags.limit }),
    );
    this.log(
      messages.length > 0
        ? messages.map((m) => messageLine(m, { room: true })).join('\n')
        : cliTexts()('search.nothing'),
    );
    return { server: flags.server, query: args.query, messages };
  }
}
