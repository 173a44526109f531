import { CHAT } from '../../server/protocol.js';
import { ChatClient, ChatError } from '../client/socket.js';
import { CliError } from './errors.js';

/**
 * One signed-in chat connection for the length of a command: connect with the token, enter the
 * room, run, disconnect. A server that cannot be reached is reported at once (a script wants an
 * answer, not a retry loop); a connection that drops mid-command comes back a few times, joins
 * the room again and sends the request again - a message with the same client_id, so it is
 * stored once even when only its acknowledgement was lost.
 */
export async function withChatRoom<T>(
  server: string,
  token: string,
  room: string,
  work: (chat: ChatClient) => Promise<T>,
): Promise<T> {
  const chat = new ChatClient({ server, token, retryFirstConnect: false, reconnectionAttempts: 3 });
  try {
    const hello = await chat.connect().catch((err: unknown) => {
      // The shared client does not know the URL it was given as the user typed it; scripts' logs should.
      if (err instanceof ChatError && err.code === 'unreachable') {
        const reason = err.message;
        throw new CliError('unreachable', (t) => t('chat.unreachable', { server, reason }));
      }
      throw err;
    });
    // The server treats a connection whose token it does not accept as a guest.
    if (!hello.user) throw new CliError('unauthorized', (t) => t('chat.tokenRefused', { server }));
    if (room !== CHAT.defaultRoom) {
      await chat.join(room).catch((err: unknown) => {
        // A token that may write but not read chat cannot join; the server takes its messages to a
        // public room without it, and anything else it asks for is refused with the scope named.
        if (!(err instanceof ChatError && err.code === 'insufficient_scope')) throw err;
      });
    }
    return await work(chat);
  } finally {
    chat.close();
  }
}
