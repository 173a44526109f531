import { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import { CHAT, messageProblem, roomProblem, usernameProblem } from '../../../server/protocol.js';
import { Mux1Error } from '../../client/errors.js';
import { describeFailure, textsOf } from '../../client/language.js';
import { safeText } from '../../client/safe-text.js';
import type { ChatMessage, ConnectionState } from '../chat-client.js';
import { ACTION_PREFIX } from '../components/action.js';
import { ChatDraft, draftRows } from '../components/ChatDraft.js';
import { EMPTY, draftOf, type Draft } from '../components/line-editor.js';
import { MessageList } from '../components/MessageList.js';
import { RoomBar, roomKeyTarget } from '../components/RoomBar.js';
import { SearchResults } from '../components/SearchResults.js';
import { useChat, type Entry } from '../hooks/useChat.js';
import { useEditKeys } from '../hooks/useEditKeys.js';
import { jsonFile } from '../local/json-file.js';
import { isOutgoingList, Outbox, type Outgoing } from '../local/outbox.js';
import { isRecallData, Recall, type RecallData } from '../local/recall.js';
import { readsAnswered } from '../read-marks.js';
import {
  MODERATION_COMMANDS,
  MODERATION_HELP_POINTER,
  parseModerationSlash,
  runModerationCommand,
} from '../moderation-commands.js';
import type { ChatSession, TuiServices } from '../services.js';
import { AdminScreen } from './AdminScreen.js';
import { SettingsScreen } from './SettingsScreen.js';

/*
 * The chat: the room and who is here on top, the messages, who is typing, the draft, and a status
 * line; slash commands in the draft act on the chat instead of sending.
 */

interface Props {
  services: TuiServices;
  session: ChatSession;
  /** Said once in the chat when it opens, e.g. that the session could not be saved. */
  notice?: string;
  /** The session ended: logged out here, or revoked elsewhere; the reason is shown on the start screen. */
  onLoggedOut: (why: string) => void;
  onQuit: () => void;
}

const t = textsOf('tui');

/**
 * A failure's line: a server's or client's failure in the terminal's language (describeFailure);
 * an Error the chat raised itself is worded in that language already.
 */
const failureLine = (err: unknown) =>
  `✗ ${Mux1Error.is(err) ? describeFailure(err) : err instanceof Error ? err.message : String(err)}`;

const TYPING_EVERY_MS = 2000;
/** The draft grows to this many rows, then scrolls. */
const MAX_INPUT_ROWS = 5;

export function ChatScreen({ services, session, notice, onLoggedOut, onQuit }: Props) {
  const client = useMemo(() => services.connectChat(session.token), [services, session.token]);
  const {
    state,
    join,
    show,
    query,
    reveal,
    setAtBottom,
    leave,
    note,
    loadOlder,
    message,
    editLast,
    deleteLast,
    lastOf,
    flushReads,
    caughtUp,
  } = useChat(client, session.user.id);
  // The last read marker (held back while messages stream in) goes out, and is answered, before
  // the connection closes: the server drops a request whose connection closes before it is handled.
  useEffect(
    () => () => void Promise.race([flushReads(), readsAnswered()]).finally(() => client.close()),
    [client, flushReads],
  );
  const labelOf = (room: string) => {
    const other = state.summaries.find((r) => r.room === room)?.with;
    return other ? `@${safeText(other.username)}` : `#${room}`;
  };
  const { columns, rows } = useTerminalSize();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  // Each room keeps what was typed in it: leaving a room puts its draft aside, coming back brings it.
  // Swapped during the render that changes the room, so the new room never shows the old draft.
  // Kept in memory only (docs/cli.md): a restart starts every draft empty.
  const drafts = useRef(new Map<string, Draft>());
  const [draftRoom, setDraftRoom] = useState(state.room);
  if (draftRoom !== state.room) {
    if (draft.value) drafts.current.set(draftRoom, draft);
    else drafts.current.delete(draftRoom);
    setDraft(drafts.current.get(state.room) ?? EMPTY);
    setDraftRoom(state.room);
  }
  const [, setOutboxVersion] = useState(0);
  const noteRef = useRef(note);
  noteRef.current = note;
  // Messages on their way and lines sent, kept beside the credentials so a restart loses neither.
  const { outbox, recall } = useMemo(() => {
    const path = (kind: 'outbox' | 'recall') => services.localFile?.(kind, session.user.id);
    const outboxPath = path('outbox');
    const recallPath = path('recall');
    const warn = (text: string) => noteRef.current(`✗ ${text}`);
    return {
      outbox: new Outbox(
        (o: Outgoing) => client.send(o.room, o.text, o.client_id),
        outboxPath ? jsonFile<Outgoing[]>(outboxPath, [], isOutgoingList) : undefined,
        warn,
      ),
      recall: new Recall(
        recallPath ? jsonFile<RecallData>(recallPath, {}, isRecallData) : undefined,
        (text) => warn(text),
      ),
    };
  }, [client, services, session.user.id]);
  useEffect(() => {
    const off = outbox.subscribe(() => setOutboxVersion((v) => v + 1));
    const offState = client.on('state', (s) => {
      if (s === 'connected') void outbox.flush();
    });
    void outbox.load().then(() => outbox.flush());
    void recall.load();
    return () => {
      off();
      offState();
      outbox.close();
    };
  }, [client, outbox, recall]);
  // A message naming the reader rings the terminal's bell (MUX1_BELL=0 keeps it quiet).
  const { stdout } = useStdout();
  useEffect(() => {
    if (services.bell === false) return;
    return client.on('message', (m) => {
      if (m.user?.id !== session.user.id && m.mentions?.includes(session.user.id)) stdout.write('\u0007');
    });
  }, [client, services.bell, session.user.id, stdout]);
  const [offset, setOffset] = useState(0);
  // Settings replace the chat on screen while the connection and its state live on underneath.
  const [settings, setSettings] = useState(false);
  // /admin: the admin screen, like settings, over a chat that lives on underneath.
  const [adminOpen, setAdminOpen] = useState(false);
  const lastTyping = useRef(0);

  useEffect(() => client.on('revoked', (why) => onLoggedOut(why)), [client, onLoggedOut]);
  useEffect(() => {
    if (notice) note(notice);
  }, [notice, note]);

  // While scrolled up, new entries must not move what the reader is looking at, and are counted.
  // Only what came after the newest entry counts: older pages loaded at the top move nothing.
  const [newBelow, setNewBelow] = useState(0);
  const newest = useRef<Entry | undefined>(undefined);
  useEffect(() => {
    const was = newest.current ? state.entries.lastIndexOf(newest.current) : state.entries.length - 1;
    newest.current = state.entries.at(-1);
    const added = was >= 0 ? state.entries.length - 1 - was : 0;
    if (added > 0 && offset > 0) {
      setOffset((o) => o + added);
      setNewBelow((n) => n + state.entries.slice(-added).filter((e) => e.kind === 'message').length);
    }
  }, [state.entries.length, offset]);
  // A search result shown in another room sets where to look; any other change of room starts at the newest.
  const jump = useRef<{ room: string; offset: number } | undefined>(undefined);
  useEffect(() => {
    newest.current = state.entries.at(-1);
    setOffset(jump.current?.room === state.room ? jump.current.offset : 0);
    jump.current = undefined;
  }, [state.room]);
  const [search, setSearch] = useState<{ query: string; results: ChatMessage[]; selected: number }>();
  const [highlight, setHighlight] = useState<number>();
  const pick = async (m: ChatMessage) => {
    setSearch(undefined);
    const found = await reveal(m.room, m.id);
    if (found.at < 0) return note(t('chat.goneMessage'));
    // The message in the middle of the list, highlighted.
    const at = Math.max(0, found.total - 1 - found.at - Math.floor(listHeight / 2));
    jump.current = { room: m.room, offset: at };
    setOffset(at);
    setHighlight(m.id);
  };
  // The room is read only as far as it is seen: scrolled up, what arrives stays unread.
  useEffect(() => {
    setAtBottom(offset === 0);
    if (offset === 0) setNewBelow(0);
  }, [offset, setAtBottom]);
  useEditKeys(
    (keys) => {
      for (const key of keys) {
        const target = roomKeyTarget(key, state.summaries, state.room);
        if (target) void show(target).catch((err: unknown) => note(failureLine(err)));
        else if (key.name === 'end' && offset > 0) setOffset(0);
      }
    },
    { isActive: !settings && !search },
  );

  const inputRows = draftRows(draft, columns - 2, MAX_INPUT_ROWS);
  const listHeight = Math.max(3, rows - 5 - inputRows);
  const page = Math.max(1, listHeight - 2);
  useInput(
    (_input, key) => {
      if (key.pageUp) {
        const max = Math.max(0, state.entries.length - 1);
        setOffset((o) => Math.min(max, o + page));
        if (offset + page >= state.entries.length - listHeight) void loadOlder().catch(() => {});
      } else if (key.pageDown) {
        setOffset((o) => Math.max(0, o - page));
      }
    },
    { isActive: !settings && !adminOpen && !search },
  );

  const submit = async (line: string) => {
    const text = line.trim();
    if (!text) return;
    recall.add(state.room, text);
    // Moderation and private rooms have their own commands (moderation-commands.ts).
    const moderation = parseModerationSlash(text);
    const command = moderation ? undefined : parseSlash(text);
    try {
      if (moderation) {
        return await runModerationCommand(moderation, { client, room: state.room, lastOf, note, join });
      }
      if (!command) {
        // A message the server would refuse whatever happens stays in the draft, to be fixed.
        const problem = messageProblem(text);
        if (problem) {
          setDraft(draftOf(line));
          return note(`✗ ${problem}`);
        }
        // Queued first: shown at once with a clock, sent when the server can take it, never lost.
        outbox.add(state.room, text);
        caughtUp();
        setOffset(0);
        return;
      }
      switch (command.name) {
        case 'invalid':
          return note(command.error);
        case 'help':
          return HELP.forEach((h) => note(h));
        case 'join':
          if (command.room === state.room) return note(t('chat.alreadyIn', { room: command.room }));
          await join(command.room);
          return note(t('chat.joinedRoom', { room: command.room }), command.room);
        case 'query':
          await query(command.username);
          return;
        case 'search': {
          note(t('chat.searching', { words: command.words }));
          const results = await client.search(command.words);
          return setSearch({ query: command.words, results, selected: 0 });
        }
        case 'me':
          outbox.add(state.room, `${ACTION_PREFIX}${command.text}`);
          caughtUp();
          setOffset(0);
          return;
        case 'retry': {
          const n = outbox.retry();
          return note(n ? t('chat.retrying', { count: n }) : t('chat.noRefused'));
        }
        case 'drop': {
          const n = outbox.drop();
          return note(n ? t('chat.dropped', { count: n }) : t('chat.noRefused'));
        }
        case 'leave':
          await leave();
          return note(t('chat.leftRoom', { room: state.room }), CHAT.defaultRoom);
        case 'rooms':
          return note(
            `your rooms: ${state.summaries
              .map((r) => `${labelOf(r.room)}${r.unread ? ` (${r.unread} unread)` : ''}`)
              .join(' ')}`,
          );
        case 'msg':
          return await message(command.username, command.text);
        case 'edit':
          return await editLast(command.text);
        case 'delete':
          return await deleteLast();
        case 'who':
          return note(
            t('chat.who', {
              room: state.room,
              names: state.presence.map((u) => u.username).join(', ') || t('chat.nobodyElse'),
            }),
          );
        case 'settings':
          return setSettings(true);
        case 'admin':
          return setAdminOpen(true);
        case 'logout':
          // Logged out here either way; a server that cannot be reached just keeps the session.
          await services
            .rest(session.token)
            .logout()
            .catch(() => {});
          return onLoggedOut(t('chat.loggedOut'));
        case 'quit':
          return onQuit();
      }
    } catch (err) {
      note(failureLine(err));
    }
  };

  const onChange = (next: Draft) => {
    setDraft(next);
    const value = next.value;
    const now = Date.now();
    if (value && !value.startsWith('/') && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      client.typing(state.room);
    }
  };

  if (adminOpen) {
    return (
      <AdminScreen
        services={services}
        token={session.token}
        onDone={(text) => {
          setAdminOpen(false);
          if (text) note(text);
        }}
      />
    );
  }

  if (settings) {
    return (
      <SettingsScreen
        services={services}
        session={session}
        onBack={() => setSettings(false)}
        onLoggedOut={onLoggedOut}
      />
    );
  }

  const here = state.presence.map((u) => safeText(u.username));
  // Away from the server, who is here is only who was here: say so rather than show it as live.
  const live = state.connection === 'connected';
  const header = state.room.startsWith('dm:')
    ? `${labelOf(state.room)} · ${t('chat.header.direct')}${live ? '' : ` · ${look[state.connection].label}`}`
    : live
      ? `#${state.room} · ${t('chat.header.here', { count: here.length })}${here.length ? ': ' + here.join(', ') : ''}`
      : `#${state.room} · ${look[state.connection].label}${here.length ? ` · ${t('chat.header.lastSeen', { names: here.join(', ') })}` : ''}`;
  // Beside the room's entries, not copied after them: the room may hold thousands, and this runs
  // on every keypress.
  const pending: Entry[] = outbox.list(state.room).map((item) => ({ kind: 'pending' as const, item }));
  const completions = () => {
    const nicks = new Set(state.presence.map((u) => u.username));
    for (const e of state.entries)
      if (e.kind === 'message' && e.message.user) nicks.add(e.message.user.username);
    nicks.delete(session.user.username);
    return {
      nicks: [...nicks],
      commands: COMMANDS.map((c) => `/${c}`),
      rooms: [...new Set([...state.rooms, ...state.summaries.map((r) => r.room)])].filter(
        (r) => !r.startsWith('dm:'),
      ),
    };
  };
  return (
    <Box flexDirection="column" width={columns}>
      <Box>
        <Text bold={live} dimColor={!live} wrap="truncate-end">
          {header.slice(0, columns)}
        </Text>
      </Box>
      <RoomBar rooms={state.summaries} current={state.room} labelOf={labelOf} width={columns} />
      {state.loadingOlder ? <Text dimColor>{t('chat.loadingOlder')}</Text> : null}
      {search ? (
        <SearchResults
          {...search}
          onSelect={(selected) => setSearch({ ...search, selected })}
          onPick={(m) => void pick(m).catch((err: unknown) => note(failureLine(err)))}
          onClose={() => setSearch(undefined)}
          labelOf={labelOf}
          width={columns}
          height={listHeight}
        />
      ) : (
        <MessageList
          highlight={highlight}
          marker={state.marker}
          beginning={state.historyComplete ? labelOf(state.room) : undefined}
          entries={state.entries}
          after={pending}
          selfId={session.user.id}
          selfName={safeText(session.user.username)}
          width={columns}
          height={listHeight - (state.loadingOlder ? 1 : 0)}
          offset={offset}
        />
      )}
      {offset > 0 && newBelow > 0 ? (
        <Text color="yellow" wrap="truncate-end">
          {t('chat.newBelow', { count: newBelow })}
        </Text>
      ) : (
        <Text dimColor wrap="truncate-end">
          {state.typing.length
            ? `${state.typing.join(', ')} ${state.typing.length > 1 ? 'are' : 'is'} typing…`
            : ' '}
        </Text>
      )}
      <ChatDraft
        draft={draft}
        onChange={onChange}
        onSubmit={(v) => void submit(v)}
        recall={() => recall.lines(state.room)}
        completions={completions}
        room={state.room}
        isActive={!search}
        placeholder={t('chat.placeholder', { room: labelOf(state.room) })}
        width={columns - 2}
        maxRows={MAX_INPUT_ROWS}
      />
      <StatusBar
        username={session.user.username}
        server={services.serverUrl}
        state={state.connection}
        detail={state.connectionDetail}
        scrolled={offset > 0}
      />
    </Box>
  );
}

const look: Record<ConnectionState, { color: string; label: string }> = {
  connecting: { color: 'yellow', label: t('chat.state.connecting') },
  connected: { color: 'green', label: t('chat.state.connected') },
  reconnecting: { color: 'yellow', label: t('chat.state.reconnecting') },
  offline: { color: 'red', label: t('chat.state.offline') },
};

function StatusBar(props: {
  username: string;
  server: string;
  state: ConnectionState;
  detail?: string;
  scrolled: boolean;
}) {
  const { color, label } = look[props.state];
  // One line whatever the width: on a narrow terminal the end is cut, never wrapped into a mess.
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text dimColor>
          {props.username}@{props.server.replace(/^https?:\/\//, '')} ·{' '}
        </Text>
        <Text color={color}>● {label}</Text>
        {props.detail ? <Text dimColor> ({props.detail})</Text> : null}
        {props.scrolled ? <Text color="yellow"> · {t('chat.scrolledUp')}</Text> : null}
        <Text dimColor> · /help</Text>
      </Text>
    </Box>
  );
}

/** Columns and rows, updated when the terminal is resized. */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

// --- slash commands --------------------------------------------------------------------------------

export type SlashCommand =
  | { name: 'join'; room: string }
  | { name: 'msg'; username: string; text: string }
  | { name: 'edit'; text: string }
  | { name: 'me'; text: string }
  | { name: 'query'; username: string }
  | { name: 'search'; words: string }
  | {
      name: 'leave' | 'rooms' | 'who' | 'settings' | 'logout' | 'quit' | 'help' | 'delete' | 'retry' | 'drop';
    }
  | { name: 'admin' }
  | { name: 'invalid'; error: string };

/** The server's limit on a search's words (docs/api.md, `search`). */
const SEARCH_MAX = 200;
const ROOM_RULE = t('chat.roomRule', { max: CHAT.roomMax });

// At most 72 columns a line (the time goes before it) and few lines, so /help fits 80x24.
export const HELP = [
  t('chat.help.join', { rule: ROOM_RULE }),
  t('chat.help.leave'),
  t('chat.help.msg'),
  t('chat.help.me'),
  t('chat.help.edit'),
  t('chat.help.retry'),
  t('chat.help.settings'),
  t('chat.help.logout'),
  t('chat.help.scroll'),
  t('chat.help.recall'),
  MODERATION_HELP_POINTER,
];

/** The slash commands, for Tab. */
export const COMMANDS = [
  'join',
  'leave',
  'rooms',
  'msg',
  'edit',
  'me',
  'query',
  'search',
  'delete',
  'who',
  'retry',
  'drop',
  'settings',
  'admin',
  'logout',
  'quit',
  'help',
  ...MODERATION_COMMANDS,
];

/** A line of the draft as a slash command; undefined when it is a message to send. */
export function parseSlash(line: string): SlashCommand | undefined {
  if (!line.startsWith('/')) return undefined;
  const [word = '', ...args] = line.slice(1).trim().split(/\s+/);
  switch (word.toLowerCase()) {
    case 'join': {
      // The whole rest of the line is the name: "Bad Room" is refused, not joined as #bad.
      const room = args.join(' ').replace(/^#/, '').toLowerCase();
      if (!room) return { name: 'invalid', error: 'usage: /join ROOM' };
      if (roomProblem(room)) return { name: 'invalid', error: t('chat.roomNames', { rule: ROOM_RULE }) };
      return { name: 'join', room };
    }
    case 'msg': {
      const username = (args[0] ?? '').replace(/^@/, '').toLowerCase();
      const text = line
        .slice(1)
        .trim()
        .slice(word.length)
        .trim()
        .slice((args[0] ?? '').length)
        .trim();
      if (!username || !text) return { name: 'invalid', error: 'usage: /msg USER TEXT' };
      const wrong = usernameProblem(username) ?? messageProblem(text);
      return wrong ? { name: 'invalid', error: wrong } : { name: 'msg', username, text };
    }
    case 'query': {
      const username = (args[0] ?? '').replace(/^@/, '').toLowerCase();
      if (!username || args.length > 1) return { name: 'invalid', error: 'usage: /query USER' };
      const wrong = usernameProblem(username);
      return wrong ? { name: 'invalid', error: wrong } : { name: 'query', username };
    }
    case 'search': {
      const words = line.slice(1).trim().slice(word.length).trim();
      if (!words) return { name: 'invalid', error: 'usage: /search WORDS' };
      if ([...words].length > SEARCH_MAX)
        return { name: 'invalid', error: t('chat.searchMax', { max: SEARCH_MAX }) };
      return { name: 'search', words };
    }
    case 'me': {
      const text = line.slice(1).trim().slice(word.length).trim();
      if (!text) return { name: 'invalid', error: 'usage: /me TEXT' };
      const wrong = messageProblem(`${ACTION_PREFIX}${text}`);
      return wrong ? { name: 'invalid', error: wrong } : { name: 'me', text };
    }
    case 'edit': {
      const text = line.slice(1).trim().slice(word.length).trim();
      if (!text) return { name: 'invalid', error: 'usage: /edit TEXT' };
      const wrong = messageProblem(text);
      return wrong ? { name: 'invalid', error: wrong } : { name: 'edit', text };
    }
    case 'delete':
    case 'leave':
    case 'rooms':
    case 'who':
    case 'settings':
    case 'logout':
    case 'quit':
    case 'help':
    case 'retry':
    case 'drop':
      return { name: word.toLowerCase() as 'leave' };
    case 'admin':
      return { name: 'admin' };
    default:
      return { name: 'invalid', error: t('chat.unknownCommand', { word }) };
  }
}
