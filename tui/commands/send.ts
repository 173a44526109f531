import { Args } from '@oclif/core';
import { CHAT, LIMITS, messageProblem } from '../../server/protocol.js';
import { UsageError } from '../cli/errors.js';
import { roomFlag, userFlag } from '../cli/input.js';
import { roomLabel } from '../cli/message-lines.js';
import { ServerCommand } from '../cli/server-command.js';
import { cliTexts, ruleWords } from '../cli/texts.js';

/** A message is at most LIMITS.messageMax code points of up to 4 bytes; more input is not a message. */
const MAX_STDIN_BYTES = LIMITS.messageMax * 4 + 2;

export default class Send extends ServerCommand {
  static override summary = 'Send one chat message as the logged-in user';
  static override description =
    `The message is TEXT, or standard input when TEXT is left out (a pipe or a file: up to ` +
    `${LIMITS.messageMax} characters; its line breaks are kept, the last one is dropped).`;
  static override examples = [
    "<%= config.bin %> send 'deploy finished'",
    "<%= config.bin %> send --room ops 'backup done in 42 s' --json",
    "<%= config.bin %> send --to alice 'the report is ready'",
    {
      description: 'The message from standard input:',
      command: 'uptime | <%= config.bin %> send --room ops',
    },
  ];
  static override args = {
    text: Args.string({
      description: `The message, 1-${LIMITS.messageMax} characters; left out, it is read from standard input.`,
      // oclif would read stdin itself, but gives up after 10 ms: a slow pipe would lose the message.
      ignoreStdin: true,
      parse: async (input) => checkMessage(input),
    }),
  };
  static override flags = {
    room: { ...roomFlag, exclusive: ['to'] },
    to: userFlag('A direct message to this user (by username) instead of a room.', 'to'),
  };

  async run() {
    const { args, flags } = await this.parse(Send);
    const text = args.text ?? checkMessage(await readMessage());
    const active = await this.requireToken(flags.server);
    const { withChatRoom } = await import('../cli/chat-session.js');
    const server = await this.dial(flags.server);
    if (flags.to) {
      const to = flags.to;
      const id = await withChatRoom(server, active.token, CHAT.defaultRoom, (chat) => chat.sendTo(text, to));
      this.log(cliTexts()('send.toUser', { to, id }));
      return { ok: true, id, to, server: flags.server };
    }
    const room = flags.room ?? CHAT.defaultRoom;
    const id = await withChatRoom(server, active.token, room, (chat) => chat.send(text, room));
    this.log(cliTexts()('send.toRoom', { room: roomLabel(room), id }));
    return { ok: true, id, room, server: flags.server };
  }
}

function checkMessage(text: string): string {
  const wrong = messageProblem(text);
  if (wrong) throw new UsageError(ruleWords(wrong), 'invalid_field', { field: 'text' });
  return text;
}

async function readMessage(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError((t) => t('send.missingText'));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > MAX_STDIN_BYTES) {
      throw new UsageError((t) => t('send.tooLong', { max: LIMITS.messageMax }), 'invalid_field', {
        field: 'text',
      });
    }
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new UsageError((t) => t('send.emptyStdin'));
  return text;
}
