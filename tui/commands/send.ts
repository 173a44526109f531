import { Args } from '@oclif/core';
import { LIMITS } from '../../server/protocol.js';
import { roomFlag } from '../cli/room-flag.js';
import { ServerCommand } from '../cli/server-command.js';

export default class Send extends ServerCommand {
  static override summary = 'Send one chat message as the logged-in user';
  static override examples = [
    "<%= config.bin %> send 'deploy finished'",
    "<%= config.bin %> send --room ops 'backup done in 42 s' --json",
  ];
  static override args = {
    text: Args.string({
      description: `The message, 1-${LIMITS.messageMax} characters.`,
      required: true,
      parse: async (input) => {
        if (input.trim() === '') throw new Error('the message is empty');
        // Counted as the server counts: Unicode code points, so an emoji is one character.
        const length = [...input].length;
        if (length > LIMITS.messageMax) {
          throw new Error(`the message has ${length} characters; the limit is ${LIMITS.messageMax}`);
        }
        return input;
      },
    }),
  };
  static override flags = { room: roomFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Send);
    const active = await this.requireToken(flags.server);
    const { withChatRoom } = await import('../cli/chat-session.js');
    const id = await withChatRoom(await this.dial(flags.server), active.token, flags.room, (chat) =>
      chat.send(args.text, flags.room),
    );
    this.result(
      { ok: true, id, room: flags.room, server: flags.server },
      `Sent to #${flags.room} (message ${id}).`,
    );
  }
}
