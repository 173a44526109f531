import type { Logger } from '../log.js';
import type { ChatUser } from '../protocol.js';
import type { OtherProcesses } from './other-processes.js';
import { chatRoomKey } from './room-names.js';
import type { ChatServer, ChatSocket } from './types.js';

/**
 * Broadcasts for one room are coalesced over this window: when hundreds of sockets reconnect
 * after a restart, the room gets a few full lists instead of one per arrival (each list to
 * everyone would cost arrivals x members x list size).
 */
export const PRESENCE_COALESCE_MS = 50;

const byName = (a: ChatUser, b: ChatUser) => a.username.localeCompare(b.username);

/**
 * Who is in which room, counted per user: a user with three sockets in a room is one member
 * who arrives with the first socket and leaves with the last.
 *
 * The counts are this process's own sockets. With several processes (`others`), the list a
 * room is told is this process's members merged with what the other processes answer, so it is
 * the whole room; arrivals and departures are still judged per process, so a user who also has
 * a socket on another process can cause a list that did not change to be sent again.
 */
export class Presence {
  private readonly rooms = new Map<string, Map<number, { user: ChatUser; sockets: Set<string> }>>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Per room, the list being gathered from the other processes: lists go out in order. */
  private readonly sending = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly io: ChatServer,
    private readonly log: Logger,
    private readonly others?: OtherProcesses,
  ) {}

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

  /** The room's members with a socket on this process. */
  localUsers(room: string): ChatUser[] {
    const members = this.rooms.get(room);
    if (!members) return [];
    return [...members.values()].map((m) => m.user).sort(byName);
  }

  /** The room's members on every process. */
  async users(room: string): Promise<ChatUser[]> {
    const mine = this.localUsers(room);
    if (!this.others) return mine;
    const all = new Map(mine.map((u) => [u.id, u]));
    for (const list of await this.others.roomUsers(room)) for (const u of list) all.set(u.id, u);
    return [...all.values()].sort(byName);
  }

  /** Tells the whole room, once the coalescing window closes. */
  announce(room: string): void {
    if (this.closed || this.pending.has(room)) return;
    const timer = setTimeout(() => {
      this.pending.delete(room);
      this.send(room, (users) => this.io.to(chatRoomKey(room)).emit('presence', { room, users }));
    }, PRESENCE_COALESCE_MS);
    timer.unref();
    this.pending.set(room, timer);
  }

  /** Tells one socket who is in the room (a user's further socket, which is no arrival). */
  tell(socket: ChatSocket, room: string): void {
    this.send(room, (users) => socket.emit('presence', { room, users }));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private send(room: string, emit: (users: ChatUser[]) => void): void {
    // One process: the list is at hand, and goes out now, as it always did.
    if (!this.others) return emit(this.localUsers(room));
    const previous = this.sending.get(room) ?? Promise.resolve();
    const next = previous
      .then(() => this.users(room))
      .then((users) => {
        if (!this.closed) emit(users);
      })
      .catch((err: unknown) => this.log.error({ err, room }, 'presence list failed'))
      .finally(() => {
        if (this.sending.get(room) === next) this.sending.delete(room);
      });
    this.sending.set(room, next);
  }
}
