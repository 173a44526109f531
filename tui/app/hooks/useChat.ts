import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ChatConnection, ChatMessage, ChatUser, ConnectionState, RoomSummary } from '../chat-client.js';
import type { Outgoing } from '../local/outbox.js';
import { moderationText } from '../moderation-commands.js';
import { ReadMarks } from '../read-marks.js';
import { usernameProblem } from '../../../server/protocol.js';
import { Mux1Error } from '../../client/errors.js';

const t = textsOf('tui');
import { textsOf } from '../../client/language.js';

const TYPING_SHOWN_MS = 4000;
/**
 * What the server says is drawn at most once in this long (a frame at 60 Hz): the first change at
 * once, those that follow within the frame together at its end. A burst of 500 messages in a second
 * is then 60 renders, not 500, and keys typed meanwhile find the event loop free.
 */
const FRAME_MS = 16;
const HISTORY_PAGE = 50;

export interface Note {
  id: string;
  room: string;
  text: string;
  ts: number;
}

export type Entry =
  | { kind: 'message'; message: ChatMessage }
  | { kind: 'note'; note: Note }
  /** The user's own message not acknowledged yet (queued, or refused by the server). */
  | { kind: 'pending'; item: Outgoing }
  /** People who came and went; changes in a row gather in one entry, so a busy room is one line. */
  | { kind: 'presence'; presence: PresenceChange };

export interface PresenceChange {
  id: string;
  ts: number;
  joined: string[];
  left: string[];
}

/** Changes closer together than this gather in one line. */
const PRESENCE_GATHER_MS = 10 * 60_000;

export interface ChatState {
  room: string;
  rooms: string[];
  entries: Entry[];
  presence: ChatUser[];
  typing: string[];
  connection: ConnectionState;
  connectionDetail?: string;
  /** True once the oldest message of the room has been loaded. */
  historyComplete: boolean;
  loadingOlder: boolean;
  /** Every room and direct conversation with what is unread in it, the current one included. */
  summaries: RoomSummary[];
  /** The newest message already read when the room was opened: the last-read marker goes after it. */
  marker?: number;
}

/**
 * Keeps the chat state of the current room: messages (history first, then live), presence,
 * who is typing and the connection state. Messages are kept per room in a ref and only the
 * current room's list is put in React state.
 */
export function useChat(client: ChatConnection, selfId: number) {
  const [room, setRoom] = useState('lobby');
  const [rooms, setRooms] = useState<string[]>(['lobby']);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [connectionDetail, setConnectionDetail] = useState<string>();
  const [version, setVersion] = useState(0);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [now, setNow] = useState(Date.now());
  const store = useRef({
    entries: new Map<string, Entry[]>(),
    presence: new Map<string, ChatUser[]>(),
    typing: new Map<string, Map<string, number>>(),
    complete: new Set<string>(),
    /** Message ids per room, so a duplicate (live and in history) costs O(1) to spot. */
    seen: new Map<string, Set<number>>(),
    /** Rooms whose latest page has been loaded; later, the client's catching up fills gaps. */
    loaded: new Set<string>(),
    /** Unread and mention counts per room and direct conversation, as the server last said, kept up live. */
    summaries: new Map<string, RoomSummary>(),
    /** Per room, the newest message id this screen has shown and marked read. */
    readUpTo: new Map<string, number>(),
    /** Per room, how far it was read when it was last opened: where the last-read marker stands. */
    markers: new Map<string, number>(),
    /** Whether the current room is shown at its newest message; scrolled up, nothing new is read. */
    atBottom: true,
  });
  const roomRef = useRef(room);
  roomRef.current = room;
  // One per connection, kept across renders: ChatScreen flushes it before it closes the connection.
  const reads = useMemo(() => new ReadMarks((r, id) => client.markRead(r, id)), [client]);
  const bump = () => setVersion((v) => v + 1);
  const frame = useRef<{ last: number; timer?: ReturnType<typeof setTimeout> }>({ last: -Infinity });
  const bumpInFrame = () => {
    const f = frame.current;
    if (f.timer) return;
    const wait = f.last + FRAME_MS - performance.now();
    if (wait <= 0) {
      f.last = performance.now();
      return bump();
    }
    f.timer = setTimeout(() => {
      f.timer = undefined;
      f.last = performance.now();
      bump();
    }, wait);
  };
  useEffect(() => () => clearTimeout(frame.current.timer), []);

  const entriesOf = (r: string) => {
    let list = store.current.entries.get(r);
    if (!list) store.current.entries.set(r, (list = []));
    return list;
  };

  const seenOf = (r: string) => {
    let ids = store.current.seen.get(r);
    if (!ids) store.current.seen.set(r, (ids = new Set()));
    return ids;
  };
  /** Messages not seen yet in that room, marked as seen. */
  const unseen = (r: string, messages: ChatMessage[]) => {
    const ids = seenOf(r);
    return messages
      .filter((m) => !ids.has(m.id) && ids.add(m.id))
      .map((message) => ({ kind: 'message' as const, message }));
  };

  const note = useCallback((text: string, r = roomRef.current) => {
    entriesOf(r).push({ kind: 'note', note: { id: `n${Math.random()}`, room: r, text, ts: Date.now() } });
    bump();
  }, []);

  /** Who came and went since the last list, gathered into the room's latest presence line if recent. */
  const notePresence = (r: string, before: ChatUser[], after: ChatUser[]) => {
    const names = (users: ChatUser[]) => new Set(users.filter((u) => u.id !== selfId).map((u) => u.username));
    const was = names(before);
    const is = names(after);
    const joined = [...is].filter((n) => !was.has(n));
    const left = [...was].filter((n) => !is.has(n));
    if (joined.length === 0 && left.length === 0) return;
    const list = entriesOf(r);
    const last = list.at(-1);
    const now = Date.now();
    if (last?.kind === 'presence' && now - last.presence.ts < PRESENCE_GATHER_MS) {
      const p = last.presence;
      // Someone who left and came back (or the other way) is simply there (or not) again.
      const flip = (name: string, from: string[], to: string[]) => {
        const at = from.indexOf(name);
        if (at >= 0) from.splice(at, 1);
        else to.push(name);
      };
      for (const n of joined) flip(n, p.left, p.joined);
      for (const n of left) flip(n, p.joined, p.left);
      last.presence = { ...p, ts: now };
      if (p.joined.length === 0 && p.left.length === 0) list.pop();
      return;
    }
    list.push({ kind: 'presence', presence: { id: `p${now}${Math.random()}`, ts: now, joined, left } });
  };

  const summaryOf = (r: string): RoomSummary => {
    let summary = store.current.summaries.get(r);
    if (!summary) store.current.summaries.set(r, (summary = { room: r, unread: 0, mentions: 0 }));
    return summary;
  };

  /** The room is on screen: its messages are read, here and on the user's other devices. */
  const markSeen = useCallback(
    (r: string) => {
      if (!store.current.atBottom) return;
      const newest = entriesOf(r).findLast((e) => e.kind === 'message');
      Object.assign(summaryOf(r), { unread: 0, mentions: 0 });
      if (newest?.kind === 'message') {
        store.current.readUpTo.set(r, newest.message.id);
        // Opening a room or scrolling back down is the reader's doing, and said at once.
        reads.mark(r, newest.message.id);
        void reads.flush();
      }
    },
    [reads],
  );

  const refreshSummaries = useCallback(async () => {
    const fresh = await client.roomStates();
    for (const summary of fresh) {
      // An answer that left before this screen's own read arrived: what was shown is read.
      const newest = entriesOf(summary.room).findLast((e) => e.kind === 'message');
      const readHere = store.current.readUpTo.get(summary.room) ?? 0;
      if (newest?.kind === 'message' && readHere >= newest.message.id) {
        Object.assign(summary, { unread: 0, mentions: 0 });
      }
      store.current.summaries.set(summary.room, summary);
      const readUpTo = Math.max(readHere, summary.last_read_id ?? 0);
      if (readUpTo > 0) store.current.readUpTo.set(summary.room, readUpTo);
      // The room on screen got its marker before the server said how far it was read.
      if (
        summary.room === roomRef.current &&
        !store.current.markers.has(summary.room) &&
        summary.last_read_id
      ) {
        store.current.markers.set(summary.room, summary.last_read_id);
      }
    }
    // What is on screen is being read.
    if (store.current.atBottom) Object.assign(summaryOf(roomRef.current), { unread: 0, mentions: 0 });
    bump();
    return fresh;
  }, [client]);

  const loadHistory = useCallback(
    async (r: string) => {
      const messages = await client.history(r, undefined, HISTORY_PAGE);
      store.current.loaded.add(r);
      if (messages.length < HISTORY_PAGE) store.current.complete.add(r);
      const fresh = unseen(r, messages);
      if (fresh.length === 0) return bump();
      const live = entriesOf(r);
      store.current.entries.set(r, [...fresh, ...live].sort(byTime));
      if (messages.length < HISTORY_PAGE) store.current.complete.add(r);
      bump();
    },
    [client],
  );

  useEffect(() => {
    const offs = [
      client.on('message', (m) => {
        entriesOf(m.room).push(...unseen(m.room, [m]));
        if (m.user) store.current.typing.get(m.room)?.delete(m.user.username);
        const summary = summaryOf(m.room);
        if (m.user && m.user.id !== selfId) {
          // A direct conversation names the other user; a new one shows up in the list at once.
          if (m.room.startsWith('dm:')) summary.with ??= m.user;
          if (m.room === roomRef.current && store.current.atBottom) {
            store.current.readUpTo.set(m.room, m.id);
            reads.mark(m.room, m.id);
          } else {
            summary.unread += 1;
            if (m.mentions?.includes(selfId)) summary.mentions += 1;
          }
        }
        bumpInFrame();
      }),
      client.on('edited', (e) => {
        const entry = entriesOf(e.room).find((x) => x.kind === 'message' && x.message.id === e.id);
        if (entry?.kind === 'message') {
          entry.message = { ...entry.message, text: e.text, edited_at: e.edited_at, mentions: e.mentions };
          bumpInFrame();
        }
      }),
      client.on('deleted', (e) => {
        const list = entriesOf(e.room);
        const at = list.findIndex((x) => x.kind === 'message' && x.message.id === e.id);
        if (at >= 0) {
          list.splice(at, 1);
          bumpInFrame();
        }
      }),
      client.on('mention', (m) => {
        const summary = summaryOf(m.room);
        summary.unread += 1;
        summary.mentions += 1;
        note(t('chat.mentioned', { user: m.user?.username ?? t('chat.someone'), room: m.room }));
      }),
      // Read on another device: the server's counts are the truth.
      client.on('read', () => void refreshSummaries().catch(() => {})),
      // Everyone in the room sees who was kicked, muted or banned, and by whom.
      client.on('moderation', (e) => note(moderationText(e, selfId), e.room)),
      client.on('presence', (p) => {
        const before = store.current.presence.get(p.room);
        store.current.presence.set(p.room, p.users);
        // The first list of a room is who was there already, not who came.
        if (before) notePresence(p.room, before, p.users);
        bumpInFrame();
      }),
      client.on('typing', (t) => {
        if (t.user.id === selfId) return;
        let map = store.current.typing.get(t.room);
        if (!map) store.current.typing.set(t.room, (map = new Map()));
        map.set(t.user.username, Date.now() + TYPING_SHOWN_MS);
        bumpInFrame();
      }),
      client.on('state', (s, detail) => {
        setConnection(s);
        setConnectionDetail(detail);
        // The latest page once per room; after a reconnection the client joins the rooms again and
        // hands on what was missed meanwhile as messages, so nothing is asked here.
        if (s === 'connected') {
          for (const r of new Set(['lobby', roomRef.current])) {
            if (!store.current.loaded.has(r)) {
              void loadHistory(r)
                .then(() => r === roomRef.current && markSeen(r))
                .catch(() => {});
            }
          }
          void refreshSummaries().catch(() => {});
        }
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [client, selfId, loadHistory, refreshSummaries, note, markSeen, reads]);

  // Typing indicators fade without a message from the server.
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const loadOlder = useCallback(async () => {
    const r = roomRef.current;
    if (store.current.complete.has(r) || loadingOlder) return;
    const oldest = entriesOf(r).find((e) => e.kind === 'message');
    if (!oldest || oldest.kind !== 'message') return;
    setLoadingOlder(true);
    try {
      const older = await client.history(r, oldest.message.id, HISTORY_PAGE);
      if (older.length < HISTORY_PAGE) store.current.complete.add(r);
      store.current.entries.set(r, [...unseen(r, older), ...entriesOf(r)]);
      bump();
    } finally {
      setLoadingOlder(false);
    }
  }, [client, loadingOlder]);

  const join = useCallback(
    async (r: string) => {
      await client.join(r);
      setRooms((rs) => (rs.includes(r) ? rs : [...rs, r]));
      open(r);
      await loadHistory(r).catch(() => {});
      markSeen(r);
      bump();
    },
    [client, loadHistory, markSeen],
  );

  /** Puts a room on screen, its last-read marker where the reading stopped, scrolled to the bottom. */
  const open = (r: string) => {
    // What was read in the room being left is said before anything of the next one.
    void reads.flush();
    const read = store.current.readUpTo.get(r) ?? store.current.summaries.get(r)?.last_read_id;
    if (read) store.current.markers.set(r, read);
    else store.current.markers.delete(r);
    store.current.atBottom = true;
    setRoom(r);
    roomRef.current = r;
  };

  /** Shows a room or conversation of the room bar; one not joined on this connection is joined. */
  const show = useCallback(
    async (r: string) => {
      if (r === roomRef.current) return;
      if (!rooms.includes(r)) return join(r);
      open(r);
      if (!store.current.loaded.has(r)) await loadHistory(r).catch(() => {});
      markSeen(r);
      bump();
    },
    [rooms, join, loadHistory, markSeen],
  );

  /**
   * Opens a direct conversation with anyone who has an account. Its room is named after both ids:
   * someone this screen has seen (in a room's people, a message, or a conversation) is looked up
   * here, anyone else the server names (`history` asked `with` the username), which also says when
   * there is no such user.
   */
  const query = useCallback(
    async (username: string) => {
      const wanted = username.trim().toLowerCase();
      const known = new Map<string, ChatUser>();
      for (const users of store.current.presence.values()) for (const u of users) known.set(u.username, u);
      for (const list of store.current.entries.values())
        for (const e of list)
          if (e.kind === 'message' && e.message.user) known.set(e.message.user.username, e.message.user);
      for (const s of store.current.summaries.values()) if (s.with) known.set(s.with.username, s.with);
      const seen = known.get(wanted);
      if (seen?.id === selfId) throw new Error(t('chat.needsSomeoneElse'));
      let r: string;
      let user: ChatUser;
      if (seen) {
        user = seen;
        r = `dm:${Math.min(seen.id, selfId)}-${Math.max(seen.id, selfId)}`;
      } else {
        // A name no account could have is said at once, in the words signup would use.
        const problem = usernameProblem(wanted);
        if (problem) throw new Error(t('chat.notAUsername', { username, problem }));
        try {
          ({ room: r, with: user } = await client.conversationWith(wanted));
        } catch (err) {
          const failure = Mux1Error.from(err);
          if (failure.code === 'not_found') throw new Error(t('chat.noSuchUser', { username }));
          // The only well-formed name the server refuses is one's own.
          if (failure.code === 'invalid_field') throw new Error(t('chat.needsSomeoneElse'));
          throw err;
        }
      }
      summaryOf(r).with ??= user;
      await join(r);
      return r;
    },
    [client, join, selfId],
  );

  /**
   * Shows a message in its room, loading older pages until it is there (a few thousand messages
   * back at most); resolves with its place in the room's entries, or -1 when it is not found.
   */
  const reveal = useCallback(
    async (r: string, id: number) => {
      await show(r);
      for (let page = 0; page < 60; page++) {
        const list = entriesOf(r);
        const at = list.findIndex((e) => e.kind === 'message' && e.message.id === id);
        if (at >= 0 || store.current.complete.has(r)) return { at, total: list.length };
        const oldest = entriesOf(r).find((e) => e.kind === 'message');
        const older = await client.history(
          r,
          oldest?.kind === 'message' ? oldest.message.id : undefined,
          HISTORY_PAGE,
        );
        if (older.length < HISTORY_PAGE) store.current.complete.add(r);
        store.current.entries.set(r, [...unseen(r, older), ...entriesOf(r)]);
        bump();
      }
      return { at: -1, total: 0 };
    },
    [client, show],
  );

  /** The reader scrolled up (false) or back to the newest message (true): only then is the room read. */
  const setAtBottom = useCallback(
    (atBottom: boolean) => {
      if (store.current.atBottom === atBottom) return;
      store.current.atBottom = atBottom;
      if (atBottom) {
        markSeen(roomRef.current);
        bump();
      }
    },
    [markSeen],
  );

  /** Sends a direct message and opens the conversation. */
  const message = useCallback(
    async (username: string, text: string) => {
      await client.sendTo(username, text);
      const conversation = (await refreshSummaries()).find((r) => r.with?.username === username);
      if (conversation) await join(conversation.room);
    },
    [client, refreshSummaries, join],
  );

  /** The user's own newest message in the current room, for /edit and /delete. */
  const ownLast = (): ChatMessage | undefined => {
    const entry = entriesOf(roomRef.current).findLast(
      (e) => e.kind === 'message' && e.message.user?.id === selfId,
    );
    return entry?.kind === 'message' ? entry.message : undefined;
  };
  const editLast = useCallback(
    async (text: string) => {
      const last = ownLast();
      if (!last) throw new Error(t('chat.nothingToEdit'));
      await client.edit(last.id, text);
    },
    [client],
  );
  const deleteLast = useCallback(async () => {
    const last = ownLast();
    if (!last) throw new Error(t('chat.nothingToDelete'));
    await client.remove(last.id);
  }, [client]);

  const leave = useCallback(async () => {
    const r = roomRef.current;
    if (r === 'lobby') throw new Error(t('chat.cannotLeaveLobby'));
    // The marker goes while the user is still in the room.
    void reads.flush();
    await client.leave(r);
    setRooms((rs) => rs.filter((x) => x !== r));
    open('lobby');
    markSeen('lobby');
  }, [client, markSeen, reads]);

  /**
   * The user wrote in the room on screen: they have caught up, so its "new" line goes, as in other
   * chat clients; left there, it went on pointing at what was new when the room was opened, above the
   * user's own reply.
   */
  const caughtUp = useCallback(() => {
    if (store.current.markers.delete(roomRef.current)) bump();
  }, []);

  /** Read markers still waiting go now: the connection is about to close. */
  const flushReads = useCallback(() => reads.flush(), [reads]);

  const typingMap = store.current.typing.get(room);
  const typing = typingMap ? [...typingMap].filter(([, until]) => until > now).map(([name]) => name) : [];

  const state: ChatState = {
    room,
    rooms,
    entries: entriesOf(room),
    presence: store.current.presence.get(room) ?? [],
    typing,
    connection,
    connectionDetail,
    historyComplete: store.current.complete.has(room),
    loadingOlder,
    summaries: listed(rooms, store.current.summaries),
    marker: store.current.markers.get(room),
  };
  void version;
  /** The newest message of `username` in the current room, for a moderator's `/delete USER`. */
  const lastOf = (username: string): ChatMessage | undefined => {
    const entry = entriesOf(roomRef.current).findLast(
      (e) => e.kind === 'message' && e.message.user?.username === username,
    );
    return entry?.kind === 'message' ? entry.message : undefined;
  };

  return {
    state,
    join,
    show,
    query,
    reveal,
    setAtBottom,
    leave,
    note,
    loadOlder,
    setRoom,
    message,
    editLast,
    deleteLast,
    lastOf,
    flushReads,
    caughtUp,
  };
}

/** The lobby, then the other rooms, then direct conversations, each by name. */
function listed(joined: string[], summaries: Map<string, RoomSummary>): RoomSummary[] {
  const all = new Map(summaries);
  for (const r of joined) if (!all.has(r)) all.set(r, { room: r, unread: 0, mentions: 0 });
  const rank = (r: RoomSummary) => (r.room === 'lobby' ? 0 : r.room.startsWith('dm:') ? 2 : 1);
  return [...all.values()].sort((a, b) => rank(a) - rank(b) || a.room.localeCompare(b.room));
}

export const tsOf = (e: Entry): number =>
  e.kind === 'note'
    ? e.note.ts
    : e.kind === 'presence'
      ? e.presence.ts
      : e.kind === 'pending'
        ? e.item.queued_at
        : typeof e.message.ts === 'number'
          ? e.message.ts
          : Date.parse(e.message.ts);
const byTime = (a: Entry, b: Entry) => tsOf(a) - tsOf(b);
