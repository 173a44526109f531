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
        if (input.length > LIMITS.messageMax) {
          throw new Error(`the message has ${input.length} characters; the limit is ${LIMITS.messageMax}`);
        }
        return input;
      },
    }),
  };
  static override flags = { room: roomFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Send);
    const active = await this.requireToken(flags.server);
    const { withChat } = await import('../cli/chat-connection.js');
    const sent = await withChat(flags.server, active.token, async (chat) => {
      await chat.enter(flags.room);
      return chat.send(flags.room, args.text);
    });
    this.result(
      { ok: true, id: sent.id, room: flags.room, server: flags.server },
      `Sent to #${flags.room} (message ${sent.id}).`,
    );
  }
}
