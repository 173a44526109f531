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
    case 'backspace':
      return at === 0 ? d : cut(at - 1, at, at - 1);
    case 'delete':
      return at === chars.length ? d : cut(at, at + 1, at);
    case 'left':
      return { ...d, cursor: Math.max(0, at - 1) };
    case 'right':
      return { ...d, cursor: Math.min(chars.length, at + 1) };
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

/** One screen row of a draft: its text and, on the cursor's row, the cursor's column. */
export interface DraftRow {
  text: string;
  cursor?: number;
}

/**
 * The draft cut into rows of `width` characters (line breaks start a row), and the window of at
 * most `maxRows` of them that holds the cursor: a draft grows to maxRows, then scrolls.
 */
export function layoutDraft(d: Draft, width: number, maxRows: number): { rows: DraftRow[]; total: number } {
  const w = Math.max(1, width);
  const rows: DraftRow[] = [];
  let offset = 0;
  let cursorRow = 0;
  for (const line of d.value.split('\n')) {
    const chars = [...line];
    const count = Math.max(1, Math.ceil((chars.length + 1) / w));
    for (let r = 0; r < count; r++) {
      const row: DraftRow = { text: chars.slice(r * w, (r + 1) * w).join('') };
      const col = d.cursor - offset - r * w;
      if (col >= 0 && col < w && d.cursor - offset <= chars.length) {
        row.cursor = col;
        cursorRow = rows.length;
      }
      rows.push(row);
    }
    offset += chars.length + 1;
  }
  const max = Math.max(1, maxRows);
  // The window ends at the cursor's row once the cursor is below the first maxRows rows.
  const first = Math.max(0, cursorRow - max + 1);
  return { rows: rows.slice(first, first + max), total: rows.length };
}
