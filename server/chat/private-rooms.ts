import { AppError } from '../errors.js';
import type { Clock } from '../clock.js';
import { CHAT, type ChatUser } from '../protocol.js';
import * as audit from '../store/audit.js';
import { readerOf, type Db } from '../store/db.js';
import { newestId } from '../store/messages.js';
import * as rooms from '../store/private-rooms.js';
import { findByUsername } from '../store/users.js';
import { assertMayRead, forbidden, isDirectRoom } from './rooms.js';

/**
 * Private rooms: made with `create {room, private: true}`, whose creator owns them and alone
 * invites and removes members. To anyone else a private room is not there: every answer they
 * get about it (join, history, search, read, message, moderate, invite) is the same `forbidden`
 * a room that does not exist gets - a direct message room `dm:a-b` of users who do not exist -
 * so trying names tells an outsider nothing. Taking a name is the one thing that shows a
 * name is used, as with usernames.
 */
export function createPrivateRooms(db: Db, clock: Clock) {
  /** Throws the nonexistent-room `forbidden` unless `userId` may see `room`. */
  // Asked on every message: read beside the writer (db.ts, readerOf), so a burst's lookups do not
  // queue behind its inserts; a reader sees every commit that ended before it began.
  const reader = readerOf(db);
  const assertVisible = async (userId: number, room: string): Promise<void> => {
    assertMayRead(userId, room);
    if (isDirectRoom(room)) return;
    const seen = await rooms.privacyOf(reader, { room, userId });
    if (seen.private && !seen.member) throw forbidden();
  };

  const owned = async (ownerId: number, room: string): Promise<void> => {
    await assertVisible(ownerId, room);
    const owner = await rooms.ownerOf(db, room);
    // A public room has no owner: answered as any room one cannot see, which is what it is here.
    if (!owner) throw forbidden();
    if (owner.owner_id !== ownerId) {
      throw new AppError('forbidden', `only the owner of #${room} may invite or remove members`, {
        field: 'room',
      });
    }
  };

  const member = async (name: string): Promise<ChatUser> => {
    const user = await findByUsername(db, name);
    if (!user) throw new AppError('not_found', `there is no user named ${name}`, { field: 'username' });
    return { id: user.id, username: user.username };
  };

  return {
    assertVisible,
    isPrivate: async (room: string): Promise<boolean> =>
      !isDirectRoom(room) && (await rooms.ownerOf(db, room)) !== undefined,
    /** Of `ids`, those who may see `room` (all of them for a room that is not private). */
    async visibleTo(room: string, ids: number[]): Promise<number[]> {
      if (ids.length === 0 || !(await rooms.ownerOf(db, room))) return ids;
      const seen: number[] = [];
      for (const id of ids) if (await rooms.isMember(db, room, id)) seen.push(id);
      return seen;
    },
    /** The private rooms `userId` is a member of (owner included). */
    memberOf: (userId: number): Promise<string[]> => rooms.roomsOfMember(db, userId),
    /** Of `names`, the rooms `userId` may see (drops private rooms they are not in). */
    async visibleRooms(userId: number, names: string[]): Promise<Set<string>> {
      const hidden = await rooms.privateAmong(
        db,
        names.filter((n) => !isDirectRoom(n)),
      );
      const seen = new Set(names);
      for (const room of hidden) if (!(await rooms.isMember(db, room, userId))) seen.delete(room);
      return seen;
    },

    /**
     * A new private room owned by `ownerId`. The lobby, a name already private, and a public room
     * that has messages cannot be taken (that would hide a public conversation from its people).
     */
    async create(
      ownerId: number,
      room: string,
      from: audit.EventSource,
    ): Promise<{ room: string; private: true }> {
      if (room === CHAT.defaultRoom) {
        throw new AppError('invalid_field', `#${room} is everyone's room`, { field: 'room' });
      }
      if ((await newestId(db, room)) > 0 || !(await rooms.createRoom(db, room, ownerId, clock.now()))) {
        throw new AppError('invalid_field', `the name #${room} is taken: choose another`, { field: 'room' });
      }
      await audit.record(db, 'private_room_created', ownerId, clock.now(), from, {
        actorId: ownerId,
        detail: `#${room}`,
      });
      return { room, private: true };
    },

    async invite(
      ownerId: number,
      room: string,
      username: string,
      from: audit.EventSource,
    ): Promise<ChatUser> {
      await owned(ownerId, room);
      const user = await member(username);
      if (await rooms.addMember(db, room, user.id, clock.now())) {
        await audit.record(db, 'member_invited', user.id, clock.now(), from, {
          actorId: ownerId,
          detail: `#${room}`,
        });
      }
      return user;
    },

    async remove(
      ownerId: number,
      room: string,
      username: string,
      from: audit.EventSource,
    ): Promise<ChatUser> {
      await owned(ownerId, room);
      const user = await member(username);
      if (user.id === ownerId) {
        throw new AppError('invalid_field', 'the owner cannot be removed from their room', {
          field: 'username',
        });
      }
      if (await rooms.removeMember(db, room, user.id)) {
        await audit.record(db, 'member_removed', user.id, clock.now(), from, {
          actorId: ownerId,
          detail: `#${room}`,
        });
      }
      return user;
    },
  };
}

export type PrivateRooms = ReturnType<typeof createPrivateRooms>;
