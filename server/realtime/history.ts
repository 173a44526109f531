import type { ChatMessage, ChatUser } from '../protocol.js';
import type { RealtimeContext } from './context.js';
import { historyPayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket, Identity } from './types.js';

/**
 * `history`: a page of a room, oldest first, from the database. Public rooms are open, so
 * reading one does not require being in it; a direct message room only to its two users (`with`
 * names the other). Scrolling back: `before` is the oldest id the client holds, and the next
 * page is asked for with the first id of this one. Catching up after a reconnection: `after` is
 * the newest id the client holds, and the next page is asked for with the last id of this one,
 * until a page comes back shorter than `limit`.
 */
export async function readHistory(
  ctx: RealtimeContext,
  socket: ChatSocket,
  { user }: Identity,
  payload: unknown,
): Promise<{ room: string; with?: ChatUser; messages: ChatMessage[] }> {
  return ctx.chat.history(user.id, parsePayload(historyPayload, payload));
}
