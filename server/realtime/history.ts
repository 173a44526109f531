import { listMessages } from '../store/messages.js';
import type { ChatMessage } from '../protocol.js';
import type { RealtimeContext } from './context.js';
import { requireIdentity } from './identity.js';
import { historyPayload } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket } from './types.js';

/**
 * `history`: a page of a room, oldest first, from the database. Rooms are open, so reading
 * one does not require being in it. Scrolling back: `before` is the oldest id the client holds,
 * and the next page is asked for with the first id of this one. Catching up after a
 * reconnection: `after` is the newest id the client holds, and the next page is asked for with
 * the last id of this one, until a page comes back shorter than `limit`.
 */
export async function readHistory(
  ctx: RealtimeContext,
  socket: ChatSocket,
  payload: unknown,
): Promise<{ messages: ChatMessage[] }> {
  await requireIdentity(ctx, socket);
  await ctx.limits.request(socket.id);
  const { room, before, after, limit } = parsePayload(historyPayload, payload);
  const rows = await listMessages(ctx.db, room, { before, after, limit });
  return {
    messages: rows.map((row) => ({
      id: row.id,
      room: row.room,
      user:
        row.user_id === null || row.username === null ? null : { id: row.user_id, username: row.username },
      text: row.text,
      ts: row.created_at,
    })),
  };
}
