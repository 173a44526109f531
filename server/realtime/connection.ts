import type { ConnectedEvent } from '../protocol.js';
import { onEvent } from './ack.js';
import { authenticate } from './authenticate.js';
import { sendMessage } from './chat.js';
import type { RealtimeContext } from './context.js';
import { deleteMessage, editMessage } from './edits.js';
import { readHistory } from './history.js';
import { signIn } from './identity.js';
import { countOutOfPresence } from './membership.js';
import { joinRoom, leaveRoom } from './rooms.js';
import { searchMessages, setBlocked } from './search.js';
import { relayTyping } from './typing.js';
import { listRooms, markRead } from './unread.js';
import type { ChatSocket } from './types.js';

/**
 * Every connection starts afresh: as whoever its handshake token proved (in the lobby), or as a
 * guest. A client that reconnects joins its rooms again and asks `history` with `after` for
 * what it missed; the server keeps nothing of a dropped socket.
 */
export function onConnection(ctx: RealtimeContext, socket: ChatSocket): void {
  const { log } = ctx;
  const proved = socket.data.handshake.identity;
  if (proved) signIn(ctx, socket, proved);
  const user = socket.data.identity?.user ?? null;
  socket.emit('connected', {
    message: user
      ? `Connected to mux1 as ${user.username}.`
      : 'Connected to mux1 as a guest: authenticate to chat.',
    sid: socket.id,
    user,
  } satisfies ConnectedEvent);
  if (socket.data.handshake.error) socket.emit('auth_error', socket.data.handshake.error);

  onEvent(socket, 'authenticate', log, (p) => authenticate(ctx, socket, p), {
    everyFailureIsAuthError: true,
  });
  onEvent(socket, 'message', log, (p) => sendMessage(ctx, socket, p));
  onEvent(socket, 'join', log, (p) => joinRoom(ctx, socket, p));
  onEvent(socket, 'leave', log, (p) => leaveRoom(ctx, socket, p));
  onEvent(socket, 'history', log, (p) => readHistory(ctx, socket, p));
  onEvent(socket, 'typing', log, (p) => relayTyping(ctx, socket, p));
  onEvent(socket, 'edit', log, (p) => editMessage(ctx, socket, p));
  onEvent(socket, 'delete', log, (p) => deleteMessage(ctx, socket, p));
  onEvent(socket, 'read', log, (p) => markRead(ctx, socket, p));
  onEvent(socket, 'rooms', log, (p) => listRooms(ctx, socket, p));
  onEvent(socket, 'search', log, (p) => searchMessages(ctx, socket, p));
  onEvent(socket, 'block', log, (p) => setBlocked(ctx, socket, p, true));
  onEvent(socket, 'unblock', log, (p) => setBlocked(ctx, socket, p, false));

  socket.on('disconnecting', () => countOutOfPresence(ctx, socket));
  log.debug({ sid: socket.id, user: user?.username ?? null }, 'socket connected');
  socket.on('disconnect', (reason) => log.debug({ sid: socket.id, reason }, 'socket disconnected'));
}
