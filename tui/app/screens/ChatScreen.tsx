import { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { MessageList } from '../components/MessageList.js';
import { DraftInput, draftRows } from '../components/DraftInput.js';
import { StatusBar } from '../components/StatusBar.js';
import { SettingsScreen } from './SettingsScreen.js';
import { useChat } from '../hooks/useChat.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { HELP, parseSlash } from '../slash-commands.js';
import { asFailure, type TuiServices } from '../services.js';
import type { ChatUser } from '../chat-client.js';
import { safeText } from '../../client/safe-text.js';

export interface ChatSession {
  token: string;
  user: ChatUser;
}

interface Props {
  services: TuiServices;
  session: ChatSession;
  /** The session ended: logged out here, or revoked elsewhere; the reason is shown on the start screen. */
  onLoggedOut: (why: string) => void;
  onQuit: () => void;
}

const TYPING_EVERY_MS = 2000;
const MAX_INPUT_ROWS = 3;

export function ChatScreen({ services, session, onLoggedOut, onQuit }: Props) {
  const client = useMemo(() => services.connectChat(session.token), [services, session.token]);
  useEffect(() => () => client.close(), [client]);
  const { state, join, leave, note, loadOlder } = useChat(client, session.user.id);
  const { columns, rows } = useTerminalSize();
  const [input, setInput] = useState('');
  const [offset, setOffset] = useState(0);
  // Settings replace the chat on screen while the connection and its state live on underneath.
  const [settings, setSettings] = useState(false);
  const lastTyping = useRef(0);
  const seen = useRef(state.entries.length);

  useEffect(() => client.on('revoked', (why) => onLoggedOut(why)), [client, onLoggedOut]);

  // While scrolled up, new entries must not move what the reader is looking at.
  useEffect(() => {
    const added = state.entries.length - seen.current;
    seen.current = state.entries.length;
    if (added > 0 && offset > 0) setOffset((o) => o + added);
  }, [state.entries.length, offset]);
  useEffect(() => setOffset(0), [state.room]);

  const inputRows = draftRows(input.length, columns - 2, MAX_INPUT_ROWS);
  const listHeight = Math.max(3, rows - 4 - inputRows);
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
          return note(`you left #${state.room}`, 'lobby');
        case 'rooms':
          return note(`your rooms: ${state.rooms.map((r) => '#' + r).join(' ')}`);
        case 'who':
          return note(
            `in #${state.room}: ${state.presence.map((u) => u.username).join(', ') || 'nobody else'}`,
          );
        case 'settings':
          return setSettings(true);
        case 'logout':
          await services.rest.logout(session.token).catch(() => {});
          return onLoggedOut('Logged out.');
        case 'quit':
          return onQuit();
      }
    } catch (err) {
      note(`✗ ${asFailure(err).error}`);
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
  const header = `#${state.room} · ${here.length} here${here.length ? ': ' + here.join(', ') : ''}`;
  return (
    <Box flexDirection="column" width={columns}>
      <Box>
        <Text bold wrap="truncate-end">
          {header.slice(0, columns)}
        </Text>
      </Box>
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
        placeholder={`message #${state.room}`}
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
