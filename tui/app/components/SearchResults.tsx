import { Box, Text } from 'ink';
import { useRef } from 'react';
import { safeText } from '../../client/safe-text.js';
import type { ChatMessage } from '../chat-client.js';
import { useEditKeys } from '../hooks/useEditKeys.js';
import { textsOf } from '../../client/language.js';

const t = textsOf('tui');
import { nickColour } from './nick-colour.js';

interface Props {
  query: string;
  results: ChatMessage[];
  selected: number;
  onSelect: (index: number) => void;
  /** Enter: show the message in its room. */
  onPick: (message: ChatMessage) => void;
  /** Esc: back to the chat. */
  onClose: () => void;
  labelOf: (room: string) => string;
  width: number;
  height: number;
}

const when = (ts: number | string) => {
  const d = new Date(ts);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
};

/**
 * What /search found, newest first, one line each: Up/Down (Ctrl-P/Ctrl-N, PgUp/PgDn) choose,
 * Enter shows the message in its room, Esc goes back. It takes the place of the message list.
 */
export function SearchResults(props: Props) {
  const { results, selected, height } = props;
  const at = useRef(selected);
  at.current = selected;
  const rows = Math.max(1, height - 1);
  useEditKeys((keys) => {
    for (const key of keys) {
      const move = (by: number) => {
        at.current = Math.max(0, Math.min(results.length - 1, at.current + by));
        props.onSelect(at.current);
      };
      if (key.name === 'escape') return props.onClose();
      if (key.name === 'up' || key.name === 'previous') move(-1);
      else if (key.name === 'down' || key.name === 'next') move(1);
      else if (key.name === 'pageUp') move(-rows);
      else if (key.name === 'pageDown') move(rows);
      else if (key.name === 'enter' && results[at.current]) return props.onPick(results[at.current]!);
    }
  });
  const first = Math.max(0, Math.min(selected - Math.floor(rows / 2), results.length - rows));
  const shown = results.slice(first, first + rows);
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        {results.length
          ? t('chat.search.found', { count: results.length, query: safeText(props.query) })
          : t('chat.search.nothing', { query: safeText(props.query) })}
      </Text>
      {shown.map((m, i) => {
        const who = m.user ? safeText(m.user.username) : t('chat.deletedUser');
        const text = safeText(m.text.replace(/\s+/g, ' '));
        return (
          <Text key={m.id} inverse={first + i === selected} wrap="truncate-end">
            <Text dimColor>{when(m.ts)} </Text>
            {props.labelOf(m.room)} <Text color={nickColour(who)}>{who}</Text> {text}
          </Text>
        );
      })}
    </Box>
  );
}
