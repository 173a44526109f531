import { AppError } from '../errors.js';
import type { Clock } from '../clock.js';
import { CHAT, dmParties, dmRoom, type ChatMessage, type ChatUser, type RoomState } from '../protocol.js';
import * as blocks from '../store/blocks.js';
import { readerOf, type Db } from '../store/db.js';
import * as mentions from '../store/mentions.js';
import * as messages from '../store/messages.js';
import * as markers from '../store/read-markers.js';
import * as sanctions from '../store/room-sanctions.js';
import { roomStanding, type RoomStanding } from '../store/room-standing.js';
import { searchMessages } from '../store/search.js';
import { findById, findByUsername } from '../store/users.js';
import { ListedConversations } from './listed-conversations.js';
import { mentionCandidates } from './mentions.js';
import { createModeration, sendRefusal } from './moderation.js';
import { createPrivateRooms } from './private-rooms.js';
import { forbidden, isDirectRoom, otherParty } from './rooms.js';
import { searchTerms } from './search-terms.js';

export { assertMayRead, forbidden, isDirectRoom, otherParty } from './rooms.js';

/** Where a message goes: the room, and for a direct message the user at the other end. */
export interface Destination {
  room: string;
  recipient?: ChatUser;
}

export interface HistoryQuery {
  room?: string;
  with?: string;
  before?: number;
  after?: number;
  limit: number;
}

/**
 * What chat messages may do, beyond one public room: direct messages, edits and deletions,
 * read markers and unread counts, mentions, search, blocking. No Socket.IO here: the doors call
 * these rules and deliver what they answer; each rule checks who may do it.
 */
export function createChat(db: Db, clock: Clock) {
  const privateRooms = createPrivateRooms(db, clock);
  // Who blocks an author is asked on every message: read beside the writer (db.ts, readerOf),
  // so the lookups do not queue behind the message inserts they follow.
  const reader = readerOf(db);
  const listedConversations = new ListedConversations();
  const moderation = createModeration(db, clock, privateRooms);
  const userNamed = async (name: string, field: string): Promise<ChatUser> => {
    const user = await findByUsername(db, name);
    if (!user) throw new AppError('not_found', `there is no user named ${name}`, { field });
    return { id: user.id, username: user.username };
  };

  const withMentions = async (rows: messages.MessageRow[]): Promise<ChatMessage[]> => {
    const found = await mentions.mentionsOf(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((row) => ({
      id: row.id,
      room: row.room,
      user:
        row.user_id === null || row.username === null ? null : { id: row.user_id, username: row.username },
      text: row.text,
      ts: row.created_at,
      mentions: found.get(row.id) ?? [],
      edited_at: row.edited_at,
    }));
  };

  /**
   * The users a text by `authorId` in `room` mentions: existing users named with `@`, not the
   * author, only the other party in a direct message, and nobody who blocks the author.
   */
  const resolveMentions = (authorId: number, room: string, text: string): number[] | Promise<number[]> => {
    const names = mentionCandidates(text);
    // Most messages name nobody: answered at once, without a promise or the lookups' awaits.
    return names.length === 0 ? [] : mentionedAmong(authorId, room, names);
  };
  const mentionedAmong = async (authorId: number, room: string, names: string[]): Promise<number[]> => {
    let ids = await mentions.idsOfUsernames(db, names);
    const other = otherParty(authorId, room);
    ids = ids.filter((id) => id !== authorId && (!isDirectRoom(room) || id === other));
    // Nobody outside a private room hears of what is said in it, nor anyone banned from the room.
    ids = await privateRooms.visibleTo(room, ids);
    if (ids.length === 0) return [];
    if (!isDirectRoom(room)) {
      const banned = await sanctions.bannedAmong(db, room, ids, clock.now());
      ids = ids.filter((id) => !banned.has(id));
    }
    const blockers = new Set(await blocks.blockersOf(reader, authorId));
    return ids.filter((id) => !blockers.has(id)).slice(0, CHAT.mentionsMax);
  };

  return {
    privateRooms,
    moderation,
    resolveMentions,
    blockersOf: (authorId: number) => blocks.blockersOf(reader, authorId),

    /**
     * The room a message goes to: `to` (a username) or `room` (a public room or one of the
     * sender's direct message rooms). A direct message room whose other user is gone is refused
     * as any other room that is not the sender's.
     */
    async destination(sender: number, target: { room?: string; to?: string }): Promise<Destination> {
      if (target.to !== undefined) {
        const recipient = await userNamed(target.to, 'to');
        if (recipient.id === sender) {
          throw new AppError('invalid_field', 'a direct message goes to someone else', { field: 'to' });
        }
        return { room: dmRoom(sender, recipient.id), recipient };
      }
      const room = target.room ?? CHAT.defaultRoom;
      await privateRooms.assertVisible(sender, room);
      const other = otherParty(sender, room);
      if (other === undefined) return { room };
      const user = await findById(db, other);
      if (!user) throw forbidden();
      return { room, recipient: { id: user.id, username: user.username } };
    },

    /**
     * Whether a message may go to a public room, in two steps: `standingIn` asks the one lookup
     * (the room's privacy and the sender's sanctions there, room-standing.ts), which the messages
     * of one sender to one room in the same turn share, and `refusalIn` reads the answer from it
     * at once - the refusal in this order: a room the sender may not see (so no mute or ban is
     * told of it), then a ban, then a mute, in force `at` the time it was asked; or undefined when
     * the message may go. A direct message needs only `destination`: it has no mutes or bans.
     * A burst then waits on one promise per sender and room rather than on a chain of them per
     * message.
     */
    standingIn: (sender: number, room: string): Promise<RoomStanding> =>
      roomStanding(reader, { room, userId: sender }),
    refusalIn(standing: RoomStanding, room: string, at: number): AppError | undefined {
      // A name no public room has is refused as assertMayRead refuses it.
      if (!CHAT.roomPattern.test(room) || (standing.private && !standing.member)) return forbidden();
      return sendRefusal(sanctions.inForceAt(standing.sanctions, at), room);
    },

    /**
     * After a message is stored: its mentions, and a direct message room in both users' lists.
     * `blockers` are the users who block the author (blockersOf), asked once for the delivery too.
     * Nothing to do (a message in a public room naming nobody, most of them): undefined, so the
     * message goes out without waiting a turn for a promise of nothing.
     */
    stored(
      id: number,
      room: string,
      mentioned: number[],
      author: number,
      blockers: readonly number[],
    ): Promise<void> | undefined {
      const parties = dmParties(room);
      const unlisted = parties !== undefined && !listedConversations.has(room);
      if (mentioned.length === 0 && !unlisted) return undefined;
      return (async () => {
        if (mentioned.length > 0) await mentions.saveMentions(db, id, room, mentioned);
        if (!unlisted) return;
        // Someone the recipient blocks does not put the conversation in their list.
        const blocked = blockers.includes(otherParty(author, room)!);
        await markers.addRoom(db, blocked ? [author] : parties, room);
        if (!blocked) listedConversations.add(room);
      })();
    },

    /**
     * A page of a room's history; `with` names the other user of a direct message room, and the
     * answer then says that room and that user, so a client can open a conversation by username
     * with someone it has never seen (the room is named by ids, which it cannot know otherwise).
     */
    async history(
      reader: number,
      query: HistoryQuery,
    ): Promise<{ room: string; with?: ChatUser; messages: ChatMessage[] }> {
      const other = query.with !== undefined ? await userNamed(query.with, 'with') : undefined;
      if (other && other.id === reader) {
        throw new AppError('invalid_field', 'with names someone else', { field: 'with' });
      }
      const room = query.room ?? dmRoom(reader, other!.id);
      await privateRooms.assertVisible(reader, room);
      // A ban keeps its member out of what is said in the room, not only out of the room.
      await moderation.assertMayJoin(reader, room);
      const rows = await messages.listMessages(db, room, { ...query, reader });
      return { room, ...(other ? { with: other } : {}), messages: await withMentions(rows) };
    },

    /** The author's new text; edits by anyone else, or of a message that is not there, are refused alike. */
    async edit(editor: number, id: number, text: string) {
      const row = await messages.findMessage(db, id);
      if (!row || row.user_id !== editor) throw forbidden();
      // An edit is saying something again: not from outside a private room, nor while muted.
      await privateRooms.assertVisible(editor, row.room);
      await moderation.assertMaySend(editor, row.room);
      const editedAt = clock.now();
      const mentioned = await resolveMentions(editor, row.room, text);
      await messages.editMessage(db, id, text, editedAt);
      await mentions.saveMentions(db, id, row.room, mentioned);
      return { id, room: row.room, text, edited_at: editedAt, mentions: mentioned };
    },

    async remove(deleter: number, id: number): Promise<{ id: number; room: string }> {
      const row = await messages.findMessage(db, id);
      if (!row || row.user_id !== deleter) throw forbidden();
      await messages.deleteMessage(db, id);
      return { id, room: row.room };
    },

    /**
     * Moves the reader's marker forward. An id past the room's newest message counts as the
     * newest, so a marker cannot be parked ahead of messages not yet sent.
     */
    async markRead(
      reader: number,
      room: string,
      id: number,
    ): Promise<{ room: string; last_read_id: number }> {
      await privateRooms.assertVisible(reader, room);
      const newest = await messages.newestId(db, room);
      const lastReadId = await markers.markRead(db, reader, room, Math.min(id, newest));
      return { room, last_read_id: lastReadId };
    },

    /**
     * Unread and mention counts for the lobby, the rooms `joined` (this connection's), every
     * room the reader has a marker in (read before, or a direct message room), and every private
     * room they are a member of (invited, never opened: a client started afresh lists it too).
     */
    async rooms(reader: number, joined: string[]): Promise<RoomState[]> {
      const lastRead = new Map<string, number>([[CHAT.defaultRoom, 0]]);
      for (const room of joined) lastRead.set(room, 0);
      for (const room of await privateRooms.memberOf(reader)) lastRead.set(room, 0);
      for (const m of await markers.markersOf(db, reader)) lastRead.set(m.room, m.last_read_id);
      // A private room the reader was removed from leaves their list with its name.
      const visible = await privateRooms.visibleRooms(reader, [...lastRead.keys()]);
      for (const room of lastRead.keys()) if (!visible.has(room)) lastRead.delete(room);
      const states: RoomState[] = [];
      for (const [room, last] of lastRead) {
        const state: RoomState = {
          room,
          unread: await markers.unreadCount(db, reader, room, last, CHAT.unreadMax),
          mentions: await markers.mentionCount(db, reader, room, last, CHAT.unreadMax),
          last_read_id: last,
        };
        const other = otherParty(reader, room);
        if (other !== undefined) {
          const user = await findById(db, other);
          // The other account is gone: what was said stays readable, under no name.
          if (user) state.with = { id: user.id, username: user.username };
        }
        states.push(state);
      }
      const order = (s: RoomState) => (s.room === CHAT.defaultRoom ? 0 : isDirectRoom(s.room) ? 2 : 1);
      return states.sort((a, b) => order(a) - order(b) || a.room.localeCompare(b.room));
    },

    /** Newest first, from the public rooms and the reader's own direct message rooms. */
    async search(
      reader: number,
      query: string,
      room: string | undefined,
      limit: number,
    ): Promise<ChatMessage[]> {
      const terms = searchTerms(query);
      if (terms.length === 0) {
        throw new AppError('invalid_field', 'query must contain a word (letters or digits)', {
          field: 'query',
        });
      }
      if (room !== undefined) {
        await privateRooms.assertVisible(reader, room);
        await moderation.assertMayJoin(reader, room);
      }
      return withMentions(await searchMessages(db, { terms, reader, room, limit, now: clock.now() }));
    },

    async block(
      blocker: number,
      name: string,
      blocked: boolean,
    ): Promise<{ username: string; blocked: boolean }> {
      const user = await userNamed(name, 'username');
      if (user.id === blocker) {
        throw new AppError('invalid_field', 'you cannot block yourself', { field: 'username' });
      }
      if (blocked) await blocks.block(db, blocker, user.id, clock.now());
      else await blocks.unblock(db, blocker, user.id);
      return { username: user.username, blocked };
    },
  };
}

export type Chat = ReturnType<typeof createChat>;
