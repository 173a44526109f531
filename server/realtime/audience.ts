import { dmParties } from '../protocol.js';
import type { RealtimeContext } from './context.js';
import { chatRoomKey, userRoomKey } from './room-names.js';

/**
 * The sockets that see what happens in a room (a message, its edit, its deletion), on every
 * server process: a public room's members, or every socket of both users of a direct message
 * room wherever they are - in both cases minus the users who block the author.
 */
export async function audience(ctx: RealtimeContext, room: string, authorId: number | null) {
  const parties = dmParties(room);
  const everyone = ctx.io.to(parties ? parties.map(userRoomKey) : chatRoomKey(room));
  if (authorId === null) return everyone;
  const blockers = await ctx.chat.blockersOf(authorId);
  return blockers.length > 0 ? everyone.except(blockers.map(userRoomKey)) : everyone;
}
