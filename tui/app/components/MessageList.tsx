import { Box, Text } from 'ink';
import type { Entry } from '../hooks/useChat.js';
import { safeText } from '../../client/safe-text.js';

interface Props {
  entries: Entry[];
  selfId: number;
  /** The reader's name, shown on their messages still on the way. */
  selfName?: string;
  width: number;
  height: number;
  /** How many entries the view is scrolled up from the newest. */
  offset: number;
}

const time = (ts: number | string) => {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

/** A message's own line breaks are kept, each line made safe; nothing else can break a line. */
const linesOf = (text: string) => text.split(/\r?\n/).map(safeText).join('\n  ');

const lineOf = (e: Entry, selfName: string) =>
  e.kind === 'note'
    ? { time: time(e.note.ts), who: '', text: safeText(e.note.text) }
    : e.kind === 'pending'
      ? { time: time(e.item.queued_at), who: selfName, text: linesOf(e.item.text) }
      : {
          time: time(e.message.ts),
          who: e.message.user ? safeText(e.message.user.username) : 'deleted user',
          text: linesOf(e.message.text),
        };

/** Screen rows an entry takes at this width. */
const rowsOf = (line: { time: string; who: string; text: string }, width: number) =>
  line.text
    .split('\n')
    .reduce(
      (sum, part, i) =>
        sum +
        Math.max(
          1,
          Math.ceil(((i === 0 ? line.time.length + line.who.length + 3 : 0) + part.length) / width),
        ),
      0,
    );

/**
 * Renders only the entries that fit, walking back from the newest visible one, so painting
 * costs the same with ten messages or ten thousand in scrollback.
 */
export function MessageList({ entries, selfId, selfName = 'you', width, height, offset }: Props) {
  const visible: Entry[] = [];
  let used = 0;
  for (let i = entries.length - 1 - offset; i >= 0 && used < height; i--) {
    const line = lineOf(entries[i]!, selfName);
    const rows = rowsOf(line, Math.max(20, width));
    if (used + rows > height && visible.length > 0) break;
    used += rows;
    visible.unshift(entries[i]!);
  }
  return (
    <Box flexDirection="column" height={height} justifyContent="flex-end" overflow="hidden">
      {visible.map((e) => {
        const line = lineOf(e, selfName);
        if (e.kind === 'pending') {
          // Greyed with a clock until the server has it; a refusal says why, in red.
          return (
            <Text key={e.item.client_id} wrap="wrap">
              <Text dimColor>
                {line.time} {e.item.refused === undefined ? '◷' : <Text color="red">✗</Text>} {line.who}{' '}
                {line.text}
              </Text>
              {e.item.refused !== undefined ? (
                <Text color="red"> (not sent: {safeText(e.item.refused)})</Text>
              ) : null}
            </Text>
          );
        }
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
