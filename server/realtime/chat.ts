import { hasAccess } from '../accounts/index.js';
import { isDirectRoom } from '../chat/index.js';
import { socketCaller } from './identity.js';
import { AppError } from '../errors.js';
import { CHAT, type ChatMessage, type ChatUser } from '../protocol.js';
import { audienceExcept } from './audience.js';
import type { RealtimeContext } from './context.js';
import { isInRoom } from './membership.js';
import { readMessagePayload, type MessagePayload } from './message-payload.js';
import { chatRoomKey, userRoomKey } from './room-names.js';
import type { Stored } from '../store/messages.js';
import type { ChatSocket, Identity } from './types.js';

/** A message's place in its connection's order, from its arrival until it is queued or refused. */
interface Turn {
  passed: boolean;
  /** Set while the message waits for the ones before it to pass. */
  resume: (() => void) | undefined;
}

/** Per connection, the messages taken in and not yet queued for writing (or refused), oldest first. */
const turns = new WeakMap<ChatSocket, Turn[]>();

function takeTurn(socket: ChatSocket): Turn {
  const turn: Turn = { passed: false, resume: undefined };
  const waiting = turns.get(socket);
  if (waiting) waiting.push(turn);
  else turns.set(socket, [turn]);
  return turn;
}

/** Undefined when every message before this one has passed (nearly always); else when they have. */
function awaitTurn(socket: ChatSocket, turn: Turn): Promise<void> | undefined {
  if (turns.get(socket)![0] === turn) return undefined;
  return new Promise((resolve) => (turn.resume = resolve));
}

/** The message is queued or refused: the next one whose checks are done may go. */
function passTurn(socket: ChatSocket, turn: Turn): void {
  turn.passed = true;
  const waiting = turns.get(socket)!;
  while (waiting.length > 0 && waiting[0]!.passed) waiting.shift();
  if (waiting.length === 0) turns.delete(socket);
  else waiting[0]!.resume?.();
}

/**
 * `message`: the budget is spent before the payload is read (guard, given here as its answer),
 * so a flood of junk is refused as cheaply as a flood of text. The message is stored before anyone
 * sees it, so what a room saw is what `history` returns. A resend of a `client_id` already stored
 * is acknowledged with the first message's id and not shown again: the room saw the first one.
 *
 * A message takes its turn in its connection's order on arrival, before its guard is answered
 * (which waits when the session is being checked). Its checks then run at once, beside those of
 * the messages before it, and it is queued for writing only once those before it were queued (or
 * refused), so one connection's messages are stored in the order they came even though their
 * checks' answers can come back out of order (they ask the database: mutes, bans, private rooms,
 * and PostgreSQL's pool answers in any order). Checked together, a burst's lookups are gathered
 * into one query round (coalesce.ts) rather than one round per message; queued, not stored, is
 * what the next one waits for, so the burst still goes to the database in one batch
 * (message-writer.ts). A burst holds many messages in flight at once, so each is one async call
 * with few awaits, reading answers that are already known at once: a message to a public room
 * waits on one lookup its burst shares (chat.standingIn), not on a chain of them of its own.
 *
 * A direct message (`to`, or a `dm:` room) reaches every socket of both users, so it is counted
 * in the sender's own budget too, not only the socket's. One to a user who blocks the sender is
 * stored and acknowledged like any other, and shown to the sender only: being blocked is not
 * announced.
 */
export async function sendMessage(
  ctx: RealtimeContext,
  socket: ChatSocket,
  guarded: Identity | Promise<Identity>,
  payload: unknown,
): Promise<{ id: number }> {
  const turn = takeTurn(socket);
  let user: ChatUser,
    input: MessagePayload,
    room: string,
    recipient: ChatUser | undefined,
    mentions: number[];
  try {
    const identity = guarded instanceof Promise ? await guarded : guarded;
    user = identity.user;
    input = readMessagePayload(payload);
    const target = input.room ?? CHAT.defaultRoom;
    if (input.to === undefined && !isDirectRoom(target)) {
      const at = ctx.clock.now();
      const refusal = ctx.chat.refusalIn(await ctx.chat.standingIn(user.id, target), target, at);
      if (refusal) throw refusal;
      room = target;
      // A connection that may not read chat (a token with chat:write but not chat:read) cannot
      // join, so it posts to a public room from outside, as a notifier does; it still hears
      // nothing there.
      if (!isInRoom(socket, room) && hasAccess(socketCaller(identity), 'chat:read')) {
        throw new AppError('not_in_room', `join ${room} before sending to it`, { field: 'room' });
      }
    } else {
      // A direct message: its room, or the refusal of one the sender may not use. Moderators'
      // mutes and bans are per public room and do not apply.
      ({ room, recipient } = await ctx.chat.destination(user.id, input));
      if (recipient) ctx.limits.directMessage(user.id);
    }
    const named = ctx.chat.resolveMentions(user.id, room, input.text);
    mentions = named instanceof Promise ? await named : named;
  } catch (err) {
    passTurn(socket, turn);
    throw err;
  }
  const before = awaitTurn(socket, turn);
  if (before) await before;
  const { text, client_id } = input;
  const ts = ctx.clock.now();
  const writing = ctx.messages.write({ room, user_id: user.id, text, created_at: ts, client_id });
  // One lookup of who blocks the author serves both the conversation list and the delivery. Asked
  // beside the insert rather than after it, so the two wait together; a resend that turns out a
  // duplicate leaves its answer unused.
  const blocking = ctx.chat.blockersOf(user.id);
  passTurn(socket, turn);
  return shownOnceStored(ctx, { room, user, text, ts, mentions, recipient }, writing, blocking);
}

/** A queued message, as its room will see it once it is stored. */
interface Queued {
  room: string;
  user: ChatUser;
  text: string;
  ts: number;
  mentions: number[];
  recipient: ChatUser | undefined;
}

/**
 * The rest of sendMessage, once the message is queued: a call of its own, so that what a message
 * keeps alive while its batch is written (a burst's are all waiting at once) is this small frame,
 * not the frame of all the checks before it.
 */
async function shownOnceStored(
  ctx: RealtimeContext,
  queued: Queued,
  writing: Promise<Stored>,
  blocking: Promise<number[]>,
): Promise<{ id: number }> {
  const { id, duplicate } = await writing;
  if (duplicate) return { id };
  const { room, user, text, ts, mentions, recipient } = queued;
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
