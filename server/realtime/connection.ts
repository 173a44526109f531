import type { ConnectedEvent } from '../protocol.js';
import { answer } from './ack.js';
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
import { sharedListeners } from './shared-listeners.js';
import { relayTyping } from './typing.js';
import { listRooms, markRead } from './unread.js';
import type { ChatSocket, Identity, SocketData } from './types.js';

type Handler = (
  ctx: RealtimeContext,
  socket: ChatSocket,
  identity: Identity,
  payload: unknown,
) => Promise<object | void>;

/**
 * What each signed-in event does once `guard` let it through; `message` is given the guard's
 * answer before it is known (sendMessage takes its turn on arrival).
 */
const HANDLERS: Record<Exclude<ChatEvent, 'authenticate' | 'message'>, Handler> = {
  join: joinRoom,
  leave: leaveRoom,
  history: readHistory,
  typing: relayTyping,
  edit: editMessage,
  delete: deleteMessage,
  read: markRead,
  rooms: listRooms,
  search: searchMessages,
  block: (ctx, socket, id, p) => setBlocked(ctx, socket, id, p, true),
  unblock: (ctx, socket, id, p) => setBlocked(ctx, socket, id, p, false),
  moderate,
  create: createRoom,
  invite: (ctx, socket, id, p) => changeMember(ctx, socket, id, p, true),
  remove: (ctx, socket, id, p) => changeMember(ctx, socket, id, p, false),
};

const HANDSHAKE_DONE: SocketData['handshake'] = Object.freeze({ identity: null });
const NO_AUTH = Object.freeze({});

/** Every event a connected socket answers; any other is ignored. */
export const HANDLED_EVENTS: readonly ChatEvent[] = [
  'authenticate',
  'message',
  ...(Object.keys(HANDLERS) as ChatEvent[]),
];

/**
 * Every event's listener, one for the whole server, called by Socket.IO with the socket as `this`:
 * the function returned gives a new socket the shared table (shared-listeners.ts), so a socket
 * holds no listener, closure or table entry of its own per event. They are reached through
 * Socket.IO's dispatch (not `onAny`, which runs before `socket.use` middleware and would pass it
 * by). One listener and its closures per event per socket came to most of what an idle socket
 * cost beyond Socket.IO's own, and the per-socket table of shared ones to most of what was left
 * (bench/socket-memory.ts, bench/socket-heap.ts).
 */
export function socketListeners(ctx: RealtimeContext): (socket: ChatSocket) => void {
  const { log } = ctx;
  // Every other event passes `guard` first, with the need EVENT_ACCESS declares for it. Its answer
  // is nearly always known at once, and then the handler runs at once too.
  const guarded = (
    socket: ChatSocket,
    event: Exclude<ChatEvent, 'authenticate'>,
    payload: unknown,
  ): Promise<object | void> => {
    let identity: Identity | Promise<Identity>;
    try {
      identity = guard(ctx, socket, event);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (event === 'message') return sendMessage(ctx, socket, identity, payload);
    const handle = HANDLERS[event];
    return identity instanceof Promise
      ? identity.then((known) => handle(ctx, socket, known, payload))
      : handle(ctx, socket, identity, payload);
  };

  const listenerOf = (event: ChatEvent) =>
    function onEvent(this: ChatSocket, ...args: unknown[]): void {
      if (!this.connected) return;
      const ack = typeof args.at(-1) === 'function' ? (args.pop() as (res: unknown) => void) : undefined;
      if (event === 'authenticate') {
        answer(this, event, log, authenticate(ctx, this, args[0]), ack, true);
        return;
      }
      let work = guarded(this, event, args[0]);
      // A hint with no acknowledgement (`typing`): a refusal is dropped silently.
      if ('quiet' in EVENT_ACCESS[event]) work = work.catch(() => undefined);
      answer(this, event, log, work, ack, false);
    };
  return sharedListeners({
    ...Object.fromEntries(HANDLED_EVENTS.map((event) => [event, listenerOf(event)])),
    disconnecting(this: ChatSocket): void {
      countOutOfPresence(ctx, this);
    },
  });
}

/**
 * Every connection starts afresh: as whoever its handshake token proved (in the lobby), or as a
 * guest. A client that reconnects joins its rooms again and asks `history` with `after` for
 * what it missed; the server keeps nothing of a dropped socket. The socket already has its
 * listeners (socketListeners, given in the first middleware).
 */
export function connectionHandler(ctx: RealtimeContext): (socket: ChatSocket) => void {
  const { log } = ctx;
  function onDisconnect(this: ChatSocket, reason: string): void {
    log.debug({ sid: this.id, reason }, 'socket disconnected');
  }

  return (socket) => {
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
    // The handshake has said what it had to: the socket keeps neither its answer nor the token
    // it showed (a bearer credential, for as long as the socket lives).
    socket.data.handshake = HANDSHAKE_DONE;
    socket.handshake.auth = NO_AUTH;

    // The departure is logged only when the arrival was: no listener per socket otherwise.
    if (log.isLevelEnabled('debug')) {
      log.debug({ sid: socket.id, user: user?.username ?? null }, 'socket connected');
      socket.on('disconnect', onDisconnect);
    }
  };
}
