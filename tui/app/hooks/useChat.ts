import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChatConnection, ChatMessage, ChatUser, ConnectionState } from '../chat-client.js';

const TYPING_SHOWN_MS = 4000;
const HISTORY_PAGE = 50;

export interface Note {
  id: string;
  room: string;
  text: string;
  ts: number;
}

export type Entry = { kind: 'message'; message: ChatMessage } | { kind: 'note'; note: Note };

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
  });
  const roomRef = useRef(room);
  roomRef.current = room;
  const bump = () => setVersion((v) => v + 1);

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

  const loadHistory = useCallback(
    async (r: string) => {
      const messages = await client.history(r, undefined, HISTORY_PAGE);
      store.current.loaded.add(r);
      const fresh = unseen(r, messages);
      if (fresh.length === 0) return;
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
        bump();
      }),
      client.on('presence', (p) => {
        store.current.presence.set(p.room, p.users);
        bump();
      }),
      client.on('typing', (t) => {
        if (t.user.id === selfId) return;
        let map = store.current.typing.get(t.room);
        if (!map) store.current.typing.set(t.room, (map = new Map()));
        map.set(t.user.username, Date.now() + TYPING_SHOWN_MS);
        bump();
      }),
      client.on('state', (s, detail) => {
        setConnection(s);
        setConnectionDetail(detail);
        // The latest page once per room; after a reconnection the client joins the rooms again and
        // hands on what was missed meanwhile as messages, so nothing is asked here.
        if (s === 'connected') {
          for (const r of new Set(['lobby', roomRef.current])) {
            if (!store.current.loaded.has(r)) void loadHistory(r).catch(() => {});
          }
        }
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [client, selfId, loadHistory]);

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
      setRoom(r);
      await loadHistory(r).catch(() => {});
    },
    [client, loadHistory],
  );

  const leave = useCallback(async () => {
    const r = roomRef.current;
    if (r === 'lobby') throw new Error('you cannot leave the lobby; /quit closes mux1');
    await client.leave(r);
    setRooms((rs) => rs.filter((x) => x !== r));
    setRoom('lobby');
  }, [client]);

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
  };
  void version;
  return { state, join, leave, note, loadOlder, setRoom };
}

const tsOf = (e: Entry): number =>
  e.kind === 'note' ? e.note.ts : typeof e.message.ts === 'number' ? e.message.ts : Date.parse(e.message.ts);
const byTime = (a: Entry, b: Entry) => tsOf(a) - tsOf(b);
