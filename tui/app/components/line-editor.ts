import { graphemesOf, nextBoundary, previousBoundary } from './graphemes.js';
import type { EditKey } from './keys.js';

/** A text being edited and where its cursor is, in characters (code points), not UTF-16 units. */
export interface Draft {
  value: string;
  cursor: number;
}

export const draftOf = (value: string): Draft => ({ value, cursor: [...value].length });
export const EMPTY: Draft = { value: '', cursor: 0 };

const isSpace = (c: string | undefined) => c !== undefined && /\s/u.test(c);

/** Where the word before `at` starts: spaces are skipped first, as readline's Ctrl-W and Alt-B do. */
function wordStart(chars: string[], at: number): number {
  let i = at;
  while (i > 0 && isSpace(chars[i - 1])) i--;
  while (i > 0 && !isSpace(chars[i - 1])) i--;
  return i;
}

function wordEnd(chars: string[], at: number): number {
  let i = at;
  while (i < chars.length && isSpace(chars[i])) i++;
  while (i < chars.length && !isSpace(chars[i])) i++;
  return i;
}

const lineStart = (chars: string[], at: number) => {
  let i = at;
  while (i > 0 && chars[i - 1] !== '\n') i--;
  return i;
};
const lineEnd = (chars: string[], at: number) => {
  let i = at;
  while (i < chars.length && chars[i] !== '\n') i++;
  return i;
};

/**
 * Applies one key to a draft, as a shell's line editor does; undefined for a key that is not an
 * edit (Enter, Tab, Up and Down mean something to the screen around the field). Home/End and the
 * kills to either end act on the line the cursor is on, so they work in a multi-line draft too.
 */
export function applyEdit(d: Draft, key: EditKey, { multiline = false } = {}): Draft | undefined {
  const chars = [...d.value];
  const at = Math.max(0, Math.min(d.cursor, chars.length));
  const cut = (from: number, to: number, cursor: number): Draft => {
    chars.splice(from, to - from);
    return { value: chars.join(''), cursor };
  };
  switch (key.name) {
    case 'insert': {
      // Control characters never enter a field; a line break only where the field has lines.
      const typed = [...key.text].filter(
        (c) => c >= ' ' && c !== '\u007F' && !(c >= '\u0080' && c <= '\u009F'),
      );
      chars.splice(at, 0, ...typed);
      return { value: chars.join(''), cursor: at + typed.length };
    }
    case 'newline':
      if (!multiline) return undefined;
      chars.splice(at, 0, '\n');
      return { value: chars.join(''), cursor: at + 1 };
    // By grapheme: an emoji with its skin tone, or a letter with its accent, is one character to a reader.
    case 'backspace': {
      if (at === 0) return d;
      const from = previousBoundary(d.value, at);
      return cut(from, at, from);
    }
    case 'delete':
      return at === chars.length ? d : cut(at, nextBoundary(d.value, at), at);
    case 'left':
      return { ...d, cursor: previousBoundary(d.value, at) };
    case 'right':
      return { ...d, cursor: Math.min(chars.length, nextBoundary(d.value, at)) };
    case 'home':
      return { ...d, cursor: lineStart(chars, at) };
    case 'end':
      return { ...d, cursor: lineEnd(chars, at) };
    case 'wordLeft':
      return { ...d, cursor: wordStart(chars, at) };
    case 'wordRight':
      return { ...d, cursor: wordEnd(chars, at) };
    case 'killWordBack': {
      const from = wordStart(chars, at);
      return cut(from, at, from);
    }
    case 'killWordForward':
      return cut(at, wordEnd(chars, at), at);
    case 'killToStart': {
      const from = lineStart(chars, at);
      return cut(from, at, from);
    }
    case 'killToEnd':
      return cut(at, lineEnd(chars, at), at);
    default:
      return undefined;
  }
}

/** The cursor one line up or down in a multi-line draft; undefined on the first / last line. */
export function moveLine(d: Draft, direction: -1 | 1): Draft | undefined {
  const chars = [...d.value];
  const start = lineStart(chars, d.cursor);
  const column = d.cursor - start;
  if (direction < 0) {
    if (start === 0) return undefined;
    const prevStart = lineStart(chars, start - 1);
    return { ...d, cursor: Math.min(prevStart + column, start - 1) };
  }
  const end = lineEnd(chars, d.cursor);
  if (end === chars.length) return undefined;
  const nextEnd = lineEnd(chars, end + 1);
  return { ...d, cursor: Math.min(end + 1 + column, nextEnd) };
}

/**
 * One screen row of a draft: its text and, on the cursor's row, the cursor: where it is in the
 * row's code points, and how many code points the character under it holds when more than one
 * (an emoji with its skin tone): the cursor covers them all.
 */
export interface DraftRow {
  text: string;
  cursor?: number;
  cursorSize?: number;
  /** A one-row field scrolled sideways: text is hidden before (and/or after) what `text` shows. */
  hiddenBefore?: boolean;
  hiddenAfter?: boolean;
}

/**
 * The draft cut into rows of `width` terminal columns (line breaks start a row; a wide character
 * that would not fit goes whole to the next row), and the window of at most `maxRows` of them that
 * holds the cursor: a draft grows to maxRows, then scrolls. Every line keeps a cell at its end
 * for the cursor, so the draft does not change height as the cursor moves.
 */
export function layoutDraft(d: Draft, width: number, maxRows: number): { rows: DraftRow[]; total: number } {
  const w = Math.max(1, width);
  const rows: DraftRow[] = [];
  let offset = 0;
  let cursorRow = 0;
  for (const line of d.value.split('\n')) {
    let row: DraftRow = { text: '' };
    let col = 0;
    let count = 0;
    /** Starts a new row when `cells` more columns would not fit on this one. */
    const makeRoom = (cells: number) => {
      if (col === 0 || col + cells <= w) return;
      rows.push(row);
      row = { text: '' };
      col = 0;
      count = 0;
    };
    const graphemes = graphemesOf(line);
    for (const g of graphemes) {
      makeRoom(g.width);
      if (d.cursor >= offset + g.at && d.cursor < offset + g.at + g.size) {
        row.cursor = count;
        if (g.size > 1) row.cursorSize = g.size;
        cursorRow = rows.length;
      }
      row.text += g.text;
      col += g.width;
      count += g.size;
    }
    const length = graphemes.reduce((n, g) => n + g.size, 0);
    makeRoom(1);
    if (d.cursor === offset + length) {
      row.cursor = count;
      cursorRow = rows.length;
    }
    rows.push(row);
    offset += length + 1;
  }
  const max = Math.max(1, maxRows);
  // The window ends at the cursor's row once the cursor is below the first maxRows rows.
  const first = Math.max(0, cursorRow - max + 1);
  return { rows: rows.slice(first, first + max), total: rows.length };
}

/**
 * A one-row field's text: all of it when it fits, else the window of `width` columns around the
 * cursor, with as much of what comes before the cursor as fits (what was typed last, as a shell's
 * line scrolls). Cut into rows instead, a long password showed only its last few bullets, on the
 * cursor's row, as if that were all of it. The cursor keeps a cell at the end, as in layoutDraft.
 * A side with text out of sight gives up a column to a mark (`hiddenBefore`, `hiddenAfter`: the
 * field draws "…" there), so a scrolled field does not look like the whole of it; a field too
 * narrow for marks and three cells of text has none.
 */
export function windowDraft(d: Draft, width: number): DraftRow {
  const w = Math.max(1, width);
  const graphemes = graphemesOf(d.value);
  const found = graphemes.findIndex((g) => d.cursor >= g.at && d.cursor < g.at + g.size);
  const at = found === -1 ? graphemes.length : found;
  // Index graphemes.length is the cell after the text, where the cursor sits at the end.
  const cells = (i: number) => (i < graphemes.length ? graphemes[i]!.width : 1);
  const around = (room: number) => {
    let first = at;
    let last = at + 1;
    let used = cells(at);
    while (first > 0 && used + cells(first - 1) <= room) used += cells(--first);
    while (last < graphemes.length && used + cells(last) <= room) used += cells(last++);
    return { first, last };
  };
  let { first, last } = around(w);
  if (w >= 5 && (first > 0 || last < graphemes.length)) {
    // Make room for the marks the window needs; one mark may shift the window and call for the other.
    let marks = Number(first > 0) + Number(last < graphemes.length);
    ({ first, last } = around(w - marks));
    const needed = Number(first > 0) + Number(last < graphemes.length);
    if (needed > marks) ({ first, last } = around(w - (marks = needed)));
  }
  const shown = graphemes.slice(first, Math.min(last, graphemes.length));
  const under = graphemes[at];
  const marks = w >= 5;
  return {
    text: shown.map((g) => g.text).join(''),
    cursor: shown.filter((g) => g.at < (under?.at ?? Infinity)).reduce((n, g) => n + g.size, 0),
    ...(under && under.size > 1 ? { cursorSize: under.size } : {}),
    ...(marks && first > 0 ? { hiddenBefore: true } : {}),
    ...(marks && last < graphemes.length ? { hiddenAfter: true } : {}),
  };
}
