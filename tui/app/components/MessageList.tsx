import { Fragment, memo } from 'react';
import { Box, Text } from 'ink';
import type { Entry, PresenceChange } from '../hooks/useChat.js';
import { safeText } from '../../client/safe-text.js';
import { actionOf } from './action.js';
import { wrapRuns, type Run } from './wrap-lines.js';
import { nickColour } from './nick-colour.js';
import { terminal, textsOf } from '../../client/language.js';

const t = textsOf('tui');

interface Props {
  entries: readonly Entry[];
  /**
   * Entries shown after `entries` (the reader's messages on their way): given apart so that the
   * room's whole list is not copied on every render to add them.
   */
  after?: readonly Entry[];
  selfId: number;
  /** The reader's name, shown on their messages still on the way. */
  selfName?: string;
  width: number;
  height: number;
  /** How many entries the view is scrolled up from the newest. */
  offset: number;
  /** The newest message read when the room was opened: a "new" line follows it when more came after. */
  marker?: number;
  /** The room's label, once its oldest message is loaded: "beginning of #room" tops the history. */
  beginning?: string;
  /** A message to pick out, e.g. the search result being shown. */
  highlight?: number;
}

const time = (ts: number | string) => {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

/**
 * "Monday 3 March 2025" in English (day before month, as in most English outside the US, with no
 * comma), "Montag, 3. März 2025" in German: Intl knows each language's words and order.
 */
const dayFormat = new Intl.DateTimeFormat(terminal.language === 'en' ? 'en-GB' : terminal.language, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
/** The local calendar day of an entry, as a key and as a separator's words. */
const dayOf = (ts: number) => {
  const d = new Date(ts);
  return { key: d.getFullYear() * 10_000 + d.getMonth() * 100 + d.getDate(), d };
};
const dayLabel = (d: Date) =>
  terminal.language === 'en'
    ? dayFormat
        .formatToParts(d)
        .filter((part) => part.type !== 'literal')
        .map((part) => part.value)
        .join(' ')
    : dayFormat.format(d);

const tsOf = (e: Entry): number => {
  switch (e.kind) {
    case 'note':
      return e.note.ts;
    case 'presence':
      return e.presence.ts;
    case 'pending':
      return e.item.queued_at;
    case 'message':
      return typeof e.message.ts === 'number' ? e.message.ts : Date.parse(e.message.ts);
  }
};

/** A message's own line breaks are kept, each line made safe; nothing else can break a line. */
const linesOf = (text: string) => text.split(/\r?\n/).map(safeText).join('\n  ');

/** A few names, then how many more: a netsplit's worth of people is still one line. */
const namesOf = (names: string[]) =>
  names.length <= 3
    ? names.map(safeText).join(', ')
    : t('chat.namesAndMore', { names: names.slice(0, 3).map(safeText).join(', '), count: names.length - 3 });
const presenceText = (p: PresenceChange) =>
  [
    p.joined.length ? `→ ${t('chat.joined', { names: namesOf(p.joined) })}` : '',
    p.left.length ? `← ${t('chat.left', { names: namesOf(p.left) })}` : '',
  ]
    .filter(Boolean)
    .join(' · ');

const lineOf = (e: Entry, selfName: string) => {
  switch (e.kind) {
    case 'note':
      return { time: time(e.note.ts), who: '', text: safeText(e.note.text) };
    case 'presence':
      return { time: time(e.presence.ts), who: '', text: presenceText(e.presence) };
    case 'pending':
      return { time: time(e.item.queued_at), who: selfName, text: linesOf(e.item.text) };
    case 'message':
      return {
        time: time(e.message.ts),
        who: e.message.user ? safeText(e.message.user.username) : t('chat.deletedUser'),
        text: linesOf(e.message.text),
      };
  }
};

/** How a stretch of an entry looks: the props of the Ink <Text> it is drawn in. */
interface Look {
  dimColor?: boolean;
  bold?: boolean;
  italic?: boolean;
  color?: string;
}

/**
 * An entry as the runs of text it is drawn with, its time, name, text and marks in their looks.
 * The list counts an entry's rows and draws them from these same runs, cut by wrapRuns: Ink does
 * not wrap them itself, so what is counted is what is drawn, and a wrapped line starts flush, not
 * with the space it broke at. Only the looks depend on the reader's id, never the text.
 */
const runsOf = (e: Entry, selfName: string, selfId: number): Run<Look>[] => {
  const line = lineOf(e, selfName);
  if (e.kind === 'note' || e.kind === 'presence') {
    return [{ text: `${line.time} · ${line.text}`, style: { dimColor: true } }];
  }
  if (e.kind === 'pending') {
    // Greyed with a clock until the server has it; a refusal says why, in red.
    const refused = e.item.refused;
    return [
      { text: `${line.time} `, style: { dimColor: true } },
      refused === undefined
        ? { text: '◷', style: { dimColor: true } }
        : { text: '✗', style: { dimColor: true, color: 'red' } },
      { text: ` ${line.who} ${line.text}`, style: { dimColor: true } },
      ...(refused === undefined
        ? []
        : [{ text: ` ${t('chat.notSent', { reason: safeText(refused) })}`, style: { color: 'red' } }]),
    ];
  }
  const own = e.message.user?.id === selfId;
  // A message that names the reader stands out, as a mention does in any chat.
  const mentionsMe = !own && (e.message.mentions ?? []).includes(selfId);
  const colour = e.message.user ? nickColour(e.message.user.username) : undefined;
  const edited: Run<Look>[] = e.message.edited_at
    ? [{ text: ` ${t('chat.edited')}`, style: { dimColor: true } }]
    : [];
  const action = actionOf(e.message.text);
  if (action !== undefined) {
    // "/me waves" from alice reads "* alice waves", as in IRC.
    return [
      { text: `${line.time} `, style: { dimColor: true } },
      { text: '* ', style: { color: colour } },
      { text: line.who, style: { bold: true, color: colour } },
      { text: ` ${linesOf(action)}`, style: { italic: true, color: mentionsMe ? 'yellow' : undefined } },
      ...edited,
    ];
  }
  return [
    { text: `${line.time} `, style: { dimColor: true } },
    { text: line.who, style: { bold: true, color: colour } },
    { text: ` ${line.text}`, style: { color: mentionsMe ? 'yellow' : undefined, bold: mentionsMe } },
    ...edited,
  ];
};

/** What an entry shows: replaced, never changed in place, when a message is edited or presence moves. */
const contentOf = (e: Entry): object =>
  e.kind === 'message' ? e.message : e.kind === 'note' ? e.note : e.kind === 'presence' ? e.presence : e.item;

/** A queued message's refusal, which is set on its item in place. */
const refusalOf = (e: Entry) => (e.kind === 'pending' ? e.item.refused : undefined);

/**
 * Rows per entry shown, by what it shows, the width and the reader's name: counting them measures
 * every character's columns, and the entries on screen are counted again on every keypress.
 */
const rowsCache = new WeakMap<
  object,
  { width: number; selfName: string; refused: string | undefined; rows: number }
>();
const entryRows = (entry: Entry, selfName: string, selfId: number, width: number) => {
  const content = contentOf(entry);
  const refused = refusalOf(entry);
  const known = rowsCache.get(content);
  if (known && known.width === width && known.selfName === selfName && known.refused === refused)
    return known.rows;
  const rows = wrapRuns(runsOf(entry, selfName, selfId), width).length;
  rowsCache.set(content, { width, selfName, refused, rows });
  return rows;
};

/**
 * Whether someone else wrote after the marker: the marker is for what others said while the reader
 * was away, not for their own lines. Walks back from the newest, so it costs little in a long room.
 */
function newAfter(entries: readonly Entry[], marker: number, selfId: number): boolean {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.kind !== 'message') continue;
    if (e.message.id <= marker) return false;
    if (e.message.user?.id !== selfId) return true;
  }
  return false;
}

/** What the list shows: entries, and the one-row lines between them. */
type Row =
  | { kind: 'entry'; entry: Entry }
  | { kind: 'day'; key: string; label: string }
  | { kind: 'marker' }
  | { kind: 'beginning' };

/**
 * Renders only the entries that fit, walking back from the newest visible one, so painting
 * costs the same with ten messages or ten thousand in scrollback. Date separators, the last-read
 * marker and the beginning of the room are decided on the way, between neighbours.
 */
export function MessageList(props: Props) {
  const { entries, after = [], selfId, selfName = 'you', width, height, offset, beginning } = props;
  // Only entries carry messages: those after them are the reader's own, on their way.
  const marker =
    props.marker !== undefined && newAfter(entries, props.marker, selfId) ? props.marker : undefined;
  const total = entries.length + after.length;
  const entryAt = (i: number): Entry | undefined =>
    i < 0 ? undefined : i < entries.length ? entries[i] : after[i - entries.length];
  const rows: Row[] = [];
  let used = 0;
  const room = () => used < height;
  const add = (row: Row) => {
    rows.unshift(row);
    used += 1;
  };
  for (let i = total - 1 - offset; i >= 0 && room(); i--) {
    const entry = entryAt(i)!;
    const lines = entryRows(entry, selfName, selfId, Math.max(20, width));
    if (used + lines > height && rows.length > 0) break;
    rows.unshift({ kind: 'entry', entry });
    used += lines;
    const day = dayOf(tsOf(entry));
    const previous = entryAt(i - 1);
    if (previous === undefined) {
      if (beginning !== undefined) {
        if (room()) add({ kind: 'day', key: `d${day.key}`, label: dayLabel(day.d) });
        if (room()) add({ kind: 'beginning' });
      }
      break;
    }
    if (room() && dayOf(tsOf(previous)).key !== day.key) {
      add({ kind: 'day', key: `d${day.key}`, label: dayLabel(day.d) });
    }
    if (room() && marker !== undefined && previous.kind === 'message' && previous.message.id === marker) {
      add({ kind: 'marker' });
    }
  }
  const rule = (label: string) => {
    const side = Math.max(2, Math.floor((width - label.length - 2) / 2));
    return `${'─'.repeat(side)} ${label} ${'─'.repeat(side)}`.slice(0, Math.max(0, width));
  };
  return (
    <Box flexDirection="column" height={height} justifyContent="flex-end" overflow="hidden">
      {rows.map((row) => {
        switch (row.kind) {
          case 'day':
            return (
              <Text key={row.key} dimColor wrap="truncate-end">
                {rule(row.label)}
              </Text>
            );
          case 'marker':
            return (
              <Text key="marker" color="red" wrap="truncate-end">
                {rule(t('chat.newMarker'))}
              </Text>
            );
          case 'beginning':
            return (
              <Text key="beginning" dimColor wrap="truncate-end">
                {t('chat.beginningOf', { room: beginning })}
              </Text>
            );
          case 'entry':
            return (
              <EntryView
                key={keyOf(row.entry)}
                entry={row.entry}
                content={contentOf(row.entry)}
                refused={refusalOf(row.entry)}
                selfId={selfId}
                selfName={selfName}
                width={Math.max(20, width)}
                picked={row.entry.kind === 'message' && row.entry.message.id === props.highlight}
              />
            );
        }
      })}
    </Box>
  );
}

const keyOf = (e: Entry) =>
  e.kind === 'message'
    ? `m${e.message.id}`
    : e.kind === 'note'
      ? e.note.id
      : e.kind === 'presence'
        ? e.presence.id
        : e.item.client_id;

/**
 * One entry, drawn again only when what it shows changes: a keypress or a new message redraws the
 * screen, and the entries already on it are the same. An entry object stays while a message is
 * edited or a refusal is set, so what it shows is passed beside it, to be compared.
 */
const EntryView = memo(function EntryView(props: {
  entry: Entry;
  /** The entry's message, note, presence or queued item: a new one when it changes. */
  content: object;
  /** A queued message's refusal, set on the item in place. */
  refused: string | undefined;
  selfId: number;
  selfName: string;
  width: number;
  picked?: boolean;
}) {
  const lines = wrapRuns(runsOf(props.entry, props.selfName, props.selfId), props.width);
  // The lines fit the width already: Ink's wrapping has nothing left to do.
  return (
    <Text wrap="wrap" inverse={props.picked}>
      {lines.map((runs, i) => (
        <Fragment key={i}>
          {i > 0 ? '\n' : null}
          {runs.map((run, j) => (
            <Text key={j} {...run.style}>
              {run.text}
            </Text>
          ))}
        </Fragment>
      ))}
    </Text>
  );
});
