import { AppError } from '../errors.js';
import type { Clock } from '../clock.js';
import { MODERATION, type ChatUser, type ModerationAction, type Role } from '../protocol.js';
import * as audit from '../store/audit.js';
import { readerOf, type Db } from '../store/db.js';
import { deleteMessage, findMessage } from '../store/messages.js';
import * as sanctions from '../store/room-sanctions.js';
import { findById, findByUsername } from '../store/users.js';
import type { PrivateRooms } from './private-rooms.js';
import { isDirectRoom } from './rooms.js';

/** Who moderates, as the door knows them, and where the request came from (for the audit log). */
export interface Moderator {
  user: ChatUser;
  role: Role;
  from: audit.EventSource;
}

export interface ModerationRequest {
  action: ModerationAction;
  room: string;
  user_id?: number;
  /** The member by name, instead of `user_id`. */
  username?: string;
  message_id?: number;
  minutes?: number;
}

/** What the doors do after a moderation: tell the room, take sockets out, drop a message. */
export interface ModerationOutcome {
  action: ModerationAction;
  room: string;
  /** The member acted on (kick, mute, unmute, ban, unban). */
  target?: ChatUser;
  /** End of a mute or timed ban (ms); null for a ban with no end. */
  until?: number | null;
  /** The message removed (delete). */
  deleted?: { id: number; room: string };
}

const minutesText = (minutes: number) => (minutes === 1 ? '1 minute' : `${minutes} minutes`);

/**
 * What moderators may do in chat, and the sanctions that hold members to it. The permission
 * itself (chat:moderate, and chat:write for a token) is checked by the door from EVENT_ACCESS;
 * these rules decide the rest: not in a direct message room (a private conversation has no
 * moderator), not on an admin unless the moderator is one, not on oneself, not in a private room
 * the moderator cannot see. Every action is in the audit log with who did it and the detail.
 */
export function createModeration(db: Db, clock: Clock, privateRooms: PrivateRooms) {
  // Every message and join asks about sanctions: read beside the writer (db.ts, readerOf), so the
  // lookups do not queue behind the inserts; a reader sees every commit that ended before it began.
  const reader = readerOf(db);
  const targetOf = async (moderator: Moderator, request: ModerationRequest): Promise<ChatUser> => {
    const { user_id: userId, username } = request;
    if (userId === undefined && username === undefined) {
      throw new AppError('invalid_field', 'this action needs user_id (or username)', { field: 'user_id' });
    }
    const user = userId !== undefined ? await findById(db, userId) : await findByUsername(db, username!);
    if (!user) {
      throw new AppError(
        'not_found',
        userId !== undefined ? 'there is no user with that id' : `there is no user named ${username}`,
        {
          field: userId !== undefined ? 'user_id' : 'username',
        },
      );
    }
    if (user.id === moderator.user.id) {
      throw new AppError('invalid_field', 'you cannot moderate yourself', { field: 'user_id' });
    }
    if (user.role === 'admin' && moderator.role !== 'admin') {
      throw new AppError('forbidden', 'a moderator cannot moderate an admin', { field: 'user_id' });
    }
    return { id: user.id, username: user.username };
  };

  const record = (moderator: Moderator, type: audit.AuditType, userId: number | null, detail: string) =>
    audit.record(db, type, userId, clock.now(), moderator.from, { actorId: moderator.user.id, detail });

  return {
    async moderate(moderator: Moderator, request: ModerationRequest): Promise<ModerationOutcome> {
      const { action, room } = request;
      // A room the moderator cannot see (someone else's conversation, a private room they are
      // not in) gets the answer of a room that does not exist; their own conversation is told why.
      await privateRooms.assertVisible(moderator.user.id, room);
      if (isDirectRoom(room)) {
        throw new AppError('forbidden', 'direct messages are private: nobody moderates them', {
          field: 'room',
        });
      }
      const now = clock.now();

      if (action === 'delete') {
        if (request.message_id === undefined) {
          throw new AppError('invalid_field', 'delete needs message_id', { field: 'message_id' });
        }
        const message = await findMessage(db, request.message_id);
        if (!message || message.room !== room) {
          throw new AppError('not_found', `there is no such message in #${room}`, { field: 'message_id' });
        }
        if (message.user_id !== null && message.user_id !== moderator.user.id) {
          const author = await findById(db, message.user_id);
          if (author?.role === 'admin' && moderator.role !== 'admin') {
            throw new AppError('forbidden', 'a moderator cannot moderate an admin', { field: 'message_id' });
          }
        }
        await deleteMessage(db, message.id);
        await record(
          moderator,
          'message_removed_by_moderator',
          message.user_id,
          `#${room} message ${message.id}`,
        );
        return { action, room, deleted: { id: message.id, room } };
      }

      const target = await targetOf(moderator, request);
      switch (action) {
        case 'kick':
          await record(moderator, 'member_kicked', target.id, `#${room}`);
          return { action, room, target };
        case 'mute':
        case 'ban': {
          const minutes = request.minutes;
          if (action === 'mute' && minutes === undefined) {
            throw new AppError(
              'invalid_field',
              `mute needs minutes (${MODERATION.minutesMin} to ${MODERATION.minutesMax})`,
              { field: 'minutes' },
            );
          }
          const until = minutes === undefined ? null : now + minutes * 60_000;
          await sanctions.impose(db, {
            room,
            userId: target.id,
            kind: action,
            until,
            actorId: moderator.user.id,
            at: now,
          });
          const detail = `#${room}${minutes === undefined ? '' : ` for ${minutesText(minutes)}`}`;
          await record(moderator, action === 'mute' ? 'member_muted' : 'member_banned', target.id, detail);
          return { action, room, target, until };
        }
        case 'unmute':
        case 'unban': {
          const kind = action === 'unmute' ? 'mute' : 'ban';
          await sanctions.lift(db, room, target.id, kind);
          await record(
            moderator,
            action === 'unmute' ? 'member_unmuted' : 'member_unbanned',
            target.id,
            `#${room}`,
          );
          return { action, room, target };
        }
      }
    },

    /** Throws `muted` (with `until`) or `banned` when the user may not write in the room now. */
    async assertMaySend(userId: number, room: string): Promise<void> {
      if (isDirectRoom(room)) return;
      const refusal = sendRefusal(await sanctions.sanctionsInForce(reader, room, userId, clock.now()), room);
      if (refusal) throw refusal;
    },

    /** Throws `banned` when the user may not be in the room now. */
    async assertMayJoin(userId: number, room: string): Promise<void> {
      if (isDirectRoom(room)) return;
      if ((await sanctions.sanctionsInForce(reader, room, userId, clock.now())).ban !== undefined) {
        throw banned(room);
      }
    },
  };
}

/** assertMaySend's refusal, from the sender's sanctions in force in the room: `banned`, else `muted`. */
export function sendRefusal(inForce: sanctions.InForce, room: string): AppError | undefined {
  if (inForce.ban !== undefined) return banned(room);
  const until = inForce.mute;
  if (typeof until === 'number') {
    return new AppError('muted', `a moderator muted you in #${room} until ${new Date(until).toISOString()}`, {
      until,
    });
  }
  return undefined;
}

const banned = (room: string) =>
  new AppError('banned', `a moderator banned you from #${room}`, { field: 'room' });

export type Moderation = ReturnType<typeof createModeration>;
