import type { ConnectedEvent } from '../protocol.js';
import { onEvent } from './ack.js';
import { authenticate } from './authenticate.js';
import { sendMessage } from './chat.js';
import { guard, type RealtimeContext } from './context.js';
import { EVENT_ACCESS, type ChatEvent } from './access.js';
import { deleteMessage, editMessage } from './edits.js';
import { readHistory } from './history.js';
import { signIn } from './identity.js';
import { countOutOfPresence } from './membership.js';
import { changeMember, createRoom, moderate } from './moderation.js';
import { joinRoom, leaveRoom } from './rooms.js';
import { searchMessages, setBlocked } from './search.js';
import { relayTyping } from './typing.js';
import { listRooms, markRead } from './unread.js';
import type { ChatSocket, Identity } from './types.js';

type Handler = (identity: Identity, payload: unknown) => Promise<object | void>;

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
  // Every other event passes `guard` first, with the need EVENT_ACCESS declares for it.
  const on = (event: Exclude<ChatEvent, 'authenticate'>, handler: Handler) => {
    const guarded = async (p: unknown) => handler(await guard(ctx, socket, event), p);
    const quiet = 'quiet' in EVENT_ACCESS[event];
    onEvent(socket, event, log, quiet ? (p) => guarded(p).catch(() => undefined) : guarded);
  };
  on('message', (id, p) => sendMessage(ctx, socket, id, p));
  on('join', (id, p) => joinRoom(ctx, socket, id, p));
  on('leave', (id, p) => leaveRoom(ctx, socket, id, p));
  on('history', (id, p) => readHistory(ctx, socket, id, p));
  on('typing', (id, p) => relayTyping(ctx, socket, id, p));
  on('edit', (id, p) => editMessage(ctx, socket, id, p));
  on('delete', (id, p) => deleteMessage(ctx, socket, id, p));
  on('read', (id, p) => markRead(ctx, socket, id, p));
  on('rooms', (id, p) => listRooms(ctx, socket, id, p));
  on('search', (id, p) => searchMessages(ctx, socket, id, p));
  on('block', (id, p) => setBlocked(ctx, socket, id, p, true));
  on('unblock', (id, p) => setBlocked(ctx, socket, id, p, false));
  on('moderate', (id, p) => moderate(ctx, socket, id, p));
  on('create', (id, p) => createRoom(ctx, socket, id, p));
  on('invite', (id, p) => changeMember(ctx, socket, id, p, true));
  on('remove', (id, p) => changeMember(ctx, socket, id, p, false));

  socket.on('disconnecting', () => countOutOfPresence(ctx, socket));
  log.debug({ sid: socket.id, user: user?.username ?? null }, 'socket connected');
  socket.on('disconnect', (reason) => log.debug({ sid: socket.id, reason }, 'socket disconnected'));
}
