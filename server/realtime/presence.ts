import type { ChatUser } from '../protocol.js';
import { chatRoomKey } from './room-names.js';
import type { ChatServer } from './types.js';

/**
 * Broadcasts for one room are coalesced over this window: when hundreds of sockets reconnect
 * after a restart, the room gets a few full lists instead of one per arrival (each list to
 * everyone would cost arrivals x members x list size).
 */
export const PRESENCE_COALESCE_MS = 50;

/**
 * Who is in which room, counted per user: a user with three sockets in a room is one member
 * who arrives with the first socket and leaves with the last.
 */
export class Presence {
  private readonly rooms = new Map<string, Map<number, { user: ChatUser; sockets: Set<string> }>>();
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly io: ChatServer) {}

  /** Counts the socket in; true when it is its user's first in the room. */
  add(room: string, user: ChatUser, socketId: string): boolean {
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new Map()));
    const member = members.get(user.id);
    if (member) {
      member.sockets.add(socketId);
      return false;
    }
    members.set(user.id, { user, sockets: new Set([socketId]) });
    return true;
  }

  /** Counts the socket out; true when it was its user's last in the room. */
  remove(room: string, userId: number, socketId: string): boolean {
    const members = this.rooms.get(room);
    const member = members?.get(userId);
    if (!members || !member || !member.sockets.delete(socketId) || member.sockets.size > 0) return false;
    members.delete(userId);
    if (members.size === 0) this.rooms.delete(room);
    return true;
  }

  users(room: string): ChatUser[] {
    const members = this.rooms.get(room);
    if (!members) return [];
    return [...members.values()].map((m) => m.user).sort((a, b) => a.username.localeCompare(b.username));
  }

  /** Tells the whole room, once the coalescing window closes. */
  announce(room: string): void {
    if (this.pending.has(room)) return;
    const timer = setTimeout(() => {
      this.pending.delete(room);
      this.io.to(chatRoomKey(room)).emit('presence', { room, users: this.users(room) });
    }, PRESENCE_COALESCE_MS);
    timer.unref();
    this.pending.set(room, timer);
  }

  close(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
