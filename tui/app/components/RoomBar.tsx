import { Box, Text } from 'ink';
import { CHAT } from '../../../server/protocol.js';
import type { EditKey } from './keys.js';

/**
 * Every room and conversation on one line, numbered for Alt-1..9: unread counts after the name,
 * mentions in yellow. When the line would not fit, the other rooms shrink to their number and
 * counts, so a narrow terminal still shows where something is waiting.
 */
export function RoomBar(props: {
  rooms: { room: string; unread: number; mentions: number }[];
  current: string;
  labelOf: (room: string) => string;
  width: number;
}) {
  const items = props.rooms.map((r, i) => ({
    ...r,
    n: i < 9 ? `${i + 1}:` : '',
    label: props.labelOf(r.room),
    counts: r.unread > 0 ? `${r.unread >= CHAT.unreadMax ? `${CHAT.unreadMax}+` : r.unread}` : '',
    at: r.mentions > 0 ? `@${r.mentions}` : '',
  }));
  const full = items.reduce(
    (sum, r) =>
      sum +
      r.n.length +
      r.label.length +
      (r.counts ? r.counts.length + 1 : 0) +
      (r.at ? r.at.length + 1 : 0) +
      2,
    0,
  );
  const short = full > props.width;
  return (
    <Box width={props.width} overflow="hidden">
      <Text wrap="truncate-end">
        {items.map((r) => {
          const current = r.room === props.current;
          // Shrunk to its number, a room's counts hang on it with a dot ("2·5"), not to be read as numbers.
          const gap = short && !current ? '·' : ' ';
          const name = short && !current ? r.n.replace(':', '') || r.label.slice(0, 4) : `${r.n}${r.label}`;
          return (
            <Text key={r.room}>
              <Text inverse={current} bold={r.unread > 0}>
                {name}
              </Text>
              {r.counts ? (
                <Text color={r.mentions > 0 ? 'yellow' : 'cyan'}>
                  {gap}
                  {r.counts}
                </Text>
              ) : null}
              {r.at ? (
                <Text color="yellow">
                  {short && !current && r.counts ? '' : gap}
                  {r.at}
                </Text>
              ) : null}
              <Text>{short ? ' ' : '  '}</Text>
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}

/** The room a room-bar key goes to: Alt-1..9, Ctrl-N / Ctrl-P, Alt-A (the next with activity, mentions first). */
export function roomKeyTarget(
  key: EditKey,
  rooms: { room: string; unread: number; mentions: number }[],
  current: string,
): string | undefined {
  const at = rooms.findIndex((r) => r.room === current);
  const after = (i: number) => rooms[(((at + i) % rooms.length) + rooms.length) % rooms.length]?.room;
  if (key.name === 'next' || key.name === 'previous') {
    return rooms.length > 1 ? after(key.name === 'next' ? 1 : -1) : undefined;
  }
  if (key.name !== 'alt') return undefined;
  if (/^[1-9]$/.test(key.key)) return rooms[Number(key.key) - 1]?.room;
  if (key.key !== 'a') return undefined;
  const others = rooms.map((_, i) => rooms[(at + 1 + i) % rooms.length]!).filter((r) => r.room !== current);
  return (others.find((r) => r.mentions > 0) ?? others.find((r) => r.unread > 0))?.room;
}
