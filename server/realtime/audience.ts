import { dmParties } from '../protocol.js';
import type { RealtimeContext } from './context.js';
import { chatRoomKey, userRoomKey } from './room-names.js';

/**
 * The sockets that see what happens in a room (a message, its edit, its deletion), on every
 * server process: a public room's members, or every socket of both users of a direct message
 * room wherever they are - in both cases minus the users who block the author.
 */
export async function audience(ctx: RealtimeContext, room: string, authorId: number | null) {
  return audienceExcept(ctx, room, authorId === null ? [] : await ctx.chat.blockersOf(authorId));
}

/** The same, for a caller that has already asked who blocks the author (`blockers`). */
export function audienceExcept(ctx: RealtimeContext, room: string, blockers: readonly number[]) {
  const parties = dmParties(room);
  const everyone = ctx.io.to(parties ? parties.map(userRoomKey) : chatRoomKey(room));
  return blockers.length > 0 ? everyone.except(blockers.map(userRoomKey)) : everyone;
}
