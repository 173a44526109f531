import type { ModerationEvent } from '../protocol.js';
import { audience } from './audience.js';
import type { RealtimeContext } from './context.js';
import { chatRoomKey, userRoomKey } from './room-names.js';
import { createRoomPayload, moderatePayload, roomMemberPayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket, Identity } from './types.js';

const source = (socket: ChatSocket) => ({
  ip: socket.data.address,
  userAgent: String(socket.handshake.headers['user-agent'] ?? '').slice(0, 512) || null,
});

/**
 * `moderate`: the rules (chat/moderation.ts) decide and record; this door delivers. A deleted
 * message is `message_deleted` to whoever saw the room; a kick, mute or ban is a `moderation`
 * line to the room and to the member's own sockets (so a kicked member learns why they left),
 * and a kick or ban then takes the member's sockets out of the room on every process.
 */
export async function moderate(
  ctx: RealtimeContext,
  socket: ChatSocket,
  identity: Identity,
  payload: unknown,
): Promise<{ action: string; room: string; until?: number | null }> {
  const request = parsePayload(moderatePayload, payload);
  const outcome = await ctx.chat.moderation.moderate(
    { user: identity.user, role: identity.role, from: source(socket) },
    request,
  );
  const { action, room } = outcome;
  if (outcome.deleted) {
    (await audience(ctx, room, null)).emit('message_deleted', outcome.deleted);
    return { action, room };
  }
  const target = outcome.target!;
  const event: ModerationEvent = {
    room,
    action: action as ModerationEvent['action'],
    user: target,
    by: identity.user,
    ...(outcome.until !== undefined && { until: outcome.until }),
  };
  ctx.io.to([chatRoomKey(room), userRoomKey(target.id)]).emit('moderation', event);
  if (action === 'kick' || action === 'ban') ctx.evict(target.id, room);
  return { action, room, ...(outcome.until !== undefined && { until: outcome.until }) };
}

/** `create` `{room, private: true}`: the creator owns it and is in it at once. */
export async function createRoom(
  ctx: RealtimeContext,
  socket: ChatSocket,
  identity: Identity,
  payload: unknown,
): Promise<{ room: string; private: true }> {
  const { room } = parsePayload(createRoomPayload, payload);
  return ctx.chat.privateRooms.create(identity.user.id, room, source(socket));
}

/** `invite` / `remove`: the owner changes who may see a private room; a removed member leaves it. */
export async function changeMember(
  ctx: RealtimeContext,
  socket: ChatSocket,
  identity: Identity,
  payload: unknown,
  add: boolean,
): Promise<{ room: string; user: { id: number; username: string } }> {
  const { room, username } = parsePayload(roomMemberPayload, payload);
  const rooms = ctx.chat.privateRooms;
  const user = add
    ? await rooms.invite(identity.user.id, room, username, source(socket))
    : await rooms.remove(identity.user.id, room, username, source(socket));
  if (!add) ctx.evict(user.id, room);
  return { room, user };
}
