import type { RealtimeContext } from './context.js';
import { isInRoom } from './membership.js';
import { chatRoomKey } from './room-names.js';
import { roomPayload } from './schemas.js';
import type { ChatSocket, Identity } from './types.js';

/**
 * `typing`: relayed to the rest of the room at most once a second per socket and room. It is a
 * hint with no acknowledgement, so anything wrong (a guest, a bad room, too soon) is dropped
 * (the guest and the token without chat:write by the event's declaration, realtime/access.ts).
 */
export async function relayTyping(
  ctx: RealtimeContext,
  socket: ChatSocket,
  identity: Identity,
  payload: unknown,
): Promise<void> {
  const parsed = roomPayload.safeParse(payload);
  if (!parsed.success || !isInRoom(socket, parsed.data.room)) return;
  const { room } = parsed.data;
  if (!ctx.limits.typing(socket.id, room)) return;
  socket.to(chatRoomKey(room)).emit('typing', { room, user: identity.user });
}
