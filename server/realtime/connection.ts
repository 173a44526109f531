import type { ConnectedEvent } from '../protocol.js';
import { onEvent } from './ack.js';
import { authenticate } from './authenticate.js';
import { sendMessage } from './chat.js';
import type { RealtimeContext } from './context.js';
import { readHistory } from './history.js';
import { signIn } from './identity.js';
import { countOutOfPresence, enterRoom } from './membership.js';
import { chatRoomsOf } from './room-names.js';
import { joinRoom, leaveRoom } from './rooms.js';
import { relayTyping } from './typing.js';
import type { ChatSocket } from './types.js';

/**
 * A recovered socket comes back with its old rooms and identity. It keeps them only if this
 * handshake proved the same session; otherwise it starts over as whoever the handshake says.
 */
function settleIdentity(ctx: RealtimeContext, socket: ChatSocket): void {
  const proved = socket.data.handshake.identity;
  const previous = socket.recovered ? socket.data.identity : null;
  if (previous && proved && previous.sessionId === proved.sessionId) {
    socket.data.identity = proved;
    // Presence counted this socket out when it dropped; count it back into its rooms.
    for (const room of chatRoomsOf(socket.rooms)) enterRoom(ctx, socket, room);
    return;
  }
  for (const key of [...socket.rooms]) if (key !== socket.id) socket.leave(key);
  socket.data.identity = null;
  if (proved) signIn(ctx, socket, proved);
}

export function onConnection(ctx: RealtimeContext, socket: ChatSocket): void {
  const { log } = ctx;
  settleIdentity(ctx, socket);
  const user = socket.data.identity?.user ?? null;
  socket.emit('connected', {
    message: user
      ? `Connected to mux1 as ${user.username}.`
      : 'Connected to mux1 as a guest: authenticate to chat.',
    sid: socket.id,
    user,
    recovered: socket.recovered,
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

  socket.on('disconnecting', () => countOutOfPresence(ctx, socket));
  log.debug(
    { sid: socket.id, user: user?.username ?? null, recovered: socket.recovered },
    'socket connected',
  );
  socket.on('disconnect', (reason) => log.debug({ sid: socket.id, reason }, 'socket disconnected'));
}
