import { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import { CHAT, messageProblem, roomProblem, usernameProblem } from '../../../server/protocol.js';
import { Mux1Error } from '../../client/errors.js';
import { safeText } from '../../client/safe-text.js';
import type { ConnectionState } from '../chat-client.js';
import { DraftInput, draftRows } from '../components/DraftInput.js';
import { MessageList } from '../components/MessageList.js';
import { useChat } from '../hooks/useChat.js';
import type { ChatSession, TuiServices } from '../services.js';
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

const TYPING_EVERY_MS = 2000;
const MAX_INPUT_ROWS = 3;

export function ChatScreen({ services, session, notice, onLoggedOut, onQuit }: Props) {
  const client = useMemo(() => services.connectChat(session.token), [services, session.token]);
  useEffect(() => () => client.close(), [client]);
  const { state, join, leave, note, loadOlder, message, editLast, deleteLast } = useChat(
    client,
    session.user.id,
  );
  const labelOf = (room: string) => {
    const other = state.summaries.find((r) => r.room === room)?.with;
    return other ? `@${safeText(other.username)}` : `#${room}`;
  };
  const { columns, rows } = useTerminalSize();
  const [input, setInput] = useState('');
  const [offset, setOffset] = useState(0);
  // Settings replace the chat on screen while the connection and its state live on underneath.
  const [settings, setSettings] = useState(false);
  const lastTyping = useRef(0);
  const seen = useRef(state.entries.length);

  useEffect(() => client.on('revoked', (why) => onLoggedOut(why)), [client, onLoggedOut]);
  useEffect(() => {
    if (notice) note(notice);
  }, [notice, note]);

  // While scrolled up, new entries must not move what the reader is looking at.
  useEffect(() => {
    const added = state.entries.length - seen.current;
    seen.current = state.entries.length;
    if (added > 0 && offset > 0) setOffset((o) => o + added);
  }, [state.entries.length, offset]);
  useEffect(() => setOffset(0), [state.room]);

  const inputRows = draftRows(input.length, columns - 2, MAX_INPUT_ROWS);
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
    { isActive: !settings },
  );

  const submit = async (line: string) => {
    const text = line.trim();
    if (!text) return;
    setInput('');
    const command = parseSlash(text);
    try {
      if (!command) {
        await client.send(state.room, text);
        setOffset(0);
        return;
      }
      switch (command.name) {
        case 'invalid':
          return note(command.error);
        case 'help':
          return HELP.forEach((h) => note(h));
        case 'join':
          await join(command.room);
          return note(`you joined #${command.room}`, command.room);
        case 'leave':
          await leave();
          return note(`you left #${state.room}`, CHAT.defaultRoom);
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
            `in #${state.room}: ${state.presence.map((u) => u.username).join(', ') || 'nobody else'}`,
          );
        case 'settings':
          return setSettings(true);
        case 'logout':
          // Logged out here either way; a server that cannot be reached just keeps the session.
          await services
            .rest(session.token)
            .logout()
            .catch(() => {});
          return onLoggedOut('Logged out.');
        case 'quit':
          return onQuit();
      }
    } catch (err) {
      note(`✗ ${Mux1Error.from(err).message}`);
    }
  };

  const onChange = (value: string) => {
    setInput(value);
    const now = Date.now();
    if (value && !value.startsWith('/') && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      client.typing(state.room);
    }
  };

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
  const header = state.room.startsWith('dm:')
    ? `${labelOf(state.room)} · direct messages`
    : `#${state.room} · ${here.length} here${here.length ? ': ' + here.join(', ') : ''}`;
  return (
    <Box flexDirection="column" width={columns}>
      <Box>
        <Text bold wrap="truncate-end">
          {header.slice(0, columns)}
        </Text>
      </Box>
      <RoomBar rooms={state.summaries} current={state.room} labelOf={labelOf} width={columns} />
      {state.loadingOlder ? <Text dimColor>loading older messages…</Text> : null}
      <MessageList
        entries={state.entries}
        selfId={session.user.id}
        width={columns}
        height={listHeight - (state.loadingOlder ? 1 : 0)}
        offset={offset}
      />
      <Text dimColor wrap="truncate-end">
        {state.typing.length
          ? `${state.typing.join(', ')} ${state.typing.length > 1 ? 'are' : 'is'} typing…`
          : ' '}
      </Text>
      <DraftInput
        value={input}
        onChange={onChange}
        onSubmit={(v) => void submit(v)}
        placeholder={`message ${labelOf(state.room)}`}
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

/** Every room and conversation on one line: unread counts after the name, mentions in yellow. */
function RoomBar(props: {
  rooms: { room: string; unread: number; mentions: number }[];
  current: string;
  labelOf: (room: string) => string;
  width: number;
}) {
  return (
    <Box width={props.width} overflow="hidden">
      <Text wrap="truncate-end">
        {props.rooms.map((r) => (
          <Text key={r.room}>
            <Text inverse={r.room === props.current} bold={r.unread > 0}>
              {props.labelOf(r.room)}
            </Text>
            {r.unread > 0 ? (
              <Text color={r.mentions > 0 ? 'yellow' : 'cyan'}>
                {' '}
                {r.unread >= CHAT.unreadMax ? `${CHAT.unreadMax}+` : r.unread}
                {r.mentions > 0 ? ` @${r.mentions}` : ''}
              </Text>
            ) : null}
            <Text>{'  '}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}

const look: Record<ConnectionState, { color: string; label: string }> = {
  connecting: { color: 'yellow', label: 'connecting' },
  connected: { color: 'green', label: 'connected' },
  reconnecting: { color: 'yellow', label: 'reconnecting' },
  offline: { color: 'red', label: 'offline' },
};

function StatusBar(props: {
  username: string;
  server: string;
  state: ConnectionState;
  detail?: string;
  scrolled: boolean;
}) {
  const { color, label } = look[props.state];
  return (
    <Box>
      <Text dimColor>
        {props.username}@{props.server.replace(/^https?:\/\//, '')} ·{' '}
      </Text>
      <Text color={color}>● {label}</Text>
      {props.detail ? <Text dimColor> ({props.detail})</Text> : null}
      {props.scrolled ? <Text color="yellow"> · scrolled up (PgDn for newest)</Text> : null}
      <Text dimColor> · /help</Text>
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
  | { name: 'leave' | 'rooms' | 'who' | 'settings' | 'logout' | 'quit' | 'help' | 'delete' }
  | { name: 'invalid'; error: string };

const ROOM_RULE = `1-${CHAT.roomMax} of a-z 0-9 _ -`;

export const HELP = [
  `/join ROOM  join or switch to a room (${ROOM_RULE})`,
  '/leave      leave the current room',
  '/rooms      list your rooms and conversations with unread counts',
  '/msg USER TEXT  a direct message; opens the conversation',
  '/edit TEXT  change your last message here',
  '/delete     delete your last message here',
  '/who        who is in this room',
  '/settings   your sessions, password change, log out everywhere',
  '/logout     end this session',
  '/quit       close mux1 (Ctrl+C too)',
  'PgUp/PgDn scroll · older messages load at the top',
];

/** A line of the draft as a slash command; undefined when it is a message to send. */
export function parseSlash(line: string): SlashCommand | undefined {
  if (!line.startsWith('/')) return undefined;
  const [word = '', ...args] = line.slice(1).trim().split(/\s+/);
  switch (word.toLowerCase()) {
    case 'join': {
      const room = (args[0] ?? '').replace(/^#/, '').toLowerCase();
      if (!room) return { name: 'invalid', error: 'usage: /join ROOM' };
      if (roomProblem(room)) return { name: 'invalid', error: `room names are ${ROOM_RULE}` };
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
      return { name: word.toLowerCase() as 'leave' };
    default:
      return { name: 'invalid', error: `unknown command /${word}; /help lists them` };
  }
}
