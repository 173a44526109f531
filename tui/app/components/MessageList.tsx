import { Box, Text } from 'ink';
import type { Entry } from '../hooks/useChat.js';
import { safeText } from '../../client/safe-text.js';

interface Props {
  entries: Entry[];
  selfId: number;
  width: number;
  height: number;
  /** How many entries the view is scrolled up from the newest. */
  offset: number;
}

const time = (ts: number | string) => {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

const lineOf = (e: Entry) =>
  e.kind === 'note'
    ? { time: time(e.note.ts), who: '', text: safeText(e.note.text) }
    : {
        time: time(e.message.ts),
        who: e.message.user ? safeText(e.message.user.username) : 'deleted user',
        text: safeText(e.message.text),
      };

/**
 * Renders only the entries that fit, walking back from the newest visible one, so painting
 * costs the same with ten messages or ten thousand in scrollback.
 */
export function MessageList({ entries, selfId, width, height, offset }: Props) {
  const visible: Entry[] = [];
  let used = 0;
  for (let i = entries.length - 1 - offset; i >= 0 && used < height; i--) {
    const line = lineOf(entries[i]!);
    const rows = Math.max(
      1,
      Math.ceil((line.time.length + line.who.length + line.text.length + 3) / Math.max(20, width)),
    );
    if (used + rows > height && visible.length > 0) break;
    used += rows;
    visible.unshift(entries[i]!);
  }
  return (
    <Box flexDirection="column" height={height} justifyContent="flex-end" overflow="hidden">
      {visible.map((e) => {
        const line = lineOf(e);
        if (e.kind === 'note') {
          return (
            <Text key={e.note.id} dimColor wrap="wrap">
              {line.time} · {line.text}
            </Text>
          );
        }
        const own = e.message.user?.id === selfId;
        // A message that names the reader stands out, as a mention does in any chat.
        const mentionsMe = !own && (e.message.mentions ?? []).includes(selfId);
        return (
          <Text key={e.message.id} wrap="wrap">
            <Text dimColor>{line.time} </Text>
            <Text bold color={own ? 'green' : 'cyan'}>
              {line.who}
            </Text>
            <Text color={mentionsMe ? 'yellow' : undefined} bold={mentionsMe}>
              {' ' + line.text}
            </Text>
            {e.message.edited_at ? <Text dimColor> (edited)</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
