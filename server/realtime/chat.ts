import { hasAccess } from '../accounts/index.js';
import { socketCaller } from './identity.js';
import { AppError } from '../errors.js';
import type { ChatMessage } from '../protocol.js';
import { audienceExcept } from './audience.js';
import type { RealtimeContext } from './context.js';
import { isInRoom } from './membership.js';
import { chatRoomKey, userRoomKey } from './room-names.js';
import { messagePayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket, Identity } from './types.js';

/** The last message of each connection not yet queued for writing. */
const sendOrder = new WeakMap<ChatSocket, Promise<void>>();

/**
 * Runs a message's checks at once, beside those of the messages before it on the same
 * connection, and queues it for writing (`queue`) only after the one before was queued (or
 * refused), so one connection's messages are stored in the order they came even though their
 * checks' answers can come back out of order (they ask the database: mutes, bans, private rooms,
 * and PostgreSQL's pool answers in any order). Checked together, a burst's lookups are gathered
 * into one query round (coalesce.ts) rather than one round per message; queued, not stored, is
 * what the next one waits for, so the burst still goes to the database in one batch
 * (message-writer.ts).
 */
async function inSendOrder<C, R>(
  socket: ChatSocket,
  checks: () => Promise<C>,
  queue: (checked: C) => R,
): Promise<R> {
  const before = sendOrder.get(socket);
  let queued!: () => void;
  const mine = new Promise<void>((resolve) => (queued = resolve));
  sendOrder.set(socket, mine);
  const checking = checks();
  // A refusal is awaited below, once the messages before it are queued; not an unhandled one meanwhile.
  checking.catch(() => undefined);
  try {
    if (before) await before;
    return queue(await checking);
  } finally {
    queued();
    if (sendOrder.get(socket) === mine) sendOrder.delete(socket);
  }
}

/**
 * `message`: the budget is spent before the payload is read, so a flood of junk is refused as
 * cheaply as a flood of text. The message is stored before anyone sees it, so what a room saw
 * is what `history` returns. A resend of a `client_id` already stored is acknowledged with the
 * first message's id and not shown again: the room saw the first one.
 *
 * A direct message (`to`, or a `dm:` room) reaches every socket of both users, so it is counted
 * in the sender's own budget too, not only the socket's. One to a user who blocks the sender is
 * stored and acknowledged like any other, and shown to the sender only: being blocked is not
 * announced.
 */
export async function sendMessage(
  ctx: RealtimeContext,
  socket: ChatSocket,
  identity: Identity,
  payload: unknown,
): Promise<{ id: number }> {
  const { user } = identity;
  const { room: asked, to, text, client_id } = parsePayload(messagePayload, payload);
  const { room, recipient, mentions, ts, writing, blocking } = await inSendOrder(
    socket,
    async () => {
      const { room, recipient } = await ctx.chat.sendable(user.id, { room: asked, to });
      if (recipient) await ctx.limits.directMessage(user.id);
      // A connection that may not read chat (a token with chat:write but not chat:read) cannot
      // join, so it posts to a public room from outside, as a notifier does; it still hears
      // nothing there.
      else if (!isInRoom(socket, room) && hasAccess(socketCaller(identity), 'chat:read')) {
        throw new AppError('not_in_room', `join ${room} before sending to it`, { field: 'room' });
      }
      return { room, recipient, mentions: await ctx.chat.resolveMentions(user.id, room, text) };
    },
    ({ room, recipient, mentions }) => {
      const ts = ctx.clock.now();
      const writing = ctx.messages.write({ room, user_id: user.id, text, created_at: ts, client_id });
      // One lookup of who blocks the author serves both the conversation list and the delivery.
      // Asked beside the insert rather than after it, so the two wait together; a resend that
      // turns out a duplicate leaves its answer unused.
      const blocking = ctx.chat.blockersOf(user.id);
      blocking.catch(() => undefined);
      return { room, recipient, mentions, ts, writing, blocking };
    },
  );
  const { id, duplicate } = await writing;
  if (duplicate) return { id };
  const blockers = await blocking;
  const storing = ctx.chat.stored(id, room, mentions, user.id, blockers);
  if (storing) await storing;
  const message: ChatMessage = { id, room, user, text, ts, mentions, edited_at: null };
  audienceExcept(ctx, room, blockers).emit('message', message);
  // Mentioned users with no socket in the room hear of it anyway.
  if (!recipient) {
    for (const mentioned of mentions) {
      ctx.io.to(userRoomKey(mentioned)).except(chatRoomKey(room)).emit('mention', message);
    }
  }
  return { id };
}
