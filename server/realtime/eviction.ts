import type { Logger } from '../log.js';
import { exitRoom } from './membership.js';
import { accountRoomKey } from './room-names.js';
import type { Presence } from './presence.js';
import type { ChatServer, ChatSocket } from './types.js';

/** Takes every socket of a user out of a chat room, on every server process. */
export type Evict = (userId: number, room: string) => void;

/**
 * A kicked, banned or removed member leaves the room on every process. Each process takes its
 * own sockets out through exitRoom, so its presence counts follow and the room is told who is
 * left; the adapter's socketsLeave() would move the sockets but leave presence believing they
 * are still there. With one process the local step is all there is.
 */
export function createEviction(io: ChatServer, presence: Presence, log: Logger, clustered: boolean): Evict {
  const local = (userId: number, room: string) => {
    const ids = io.of('/').adapter.rooms.get(accountRoomKey(userId));
    for (const id of ids ?? []) {
      const socket: ChatSocket | undefined = io.of('/').sockets.get(id);
      if (socket) exitRoom({ presence }, socket, room);
    }
  };
  if (clustered) {
    io.on('moderation:evict', (userId, room) => {
      if (typeof userId === 'number' && typeof room === 'string') local(userId, room);
    });
  }
  return (userId, room) => {
    local(userId, room);
    if (!clustered) return;
    try {
      io.serverSideEmit('moderation:evict', userId, room);
    } catch (err) {
      log.warn({ err, room }, 'could not tell the other server processes to evict a member');
    }
  };
}
