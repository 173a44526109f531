import { graphemesOf } from './graphemes.js';

/** One line of a wrapped text: where it starts and ends in the text (UTF-16 offsets, end excluded). */
export interface Piece {
  start: number;
  end: number;
}

/**
 * Where a text breaks into lines of at most `width` terminal columns: at spaces where it can, and
 * inside a word only when the word alone is wider than a line. The space a line breaks at goes with the break,
 * so a continuation line starts flush at the left edge: Ink's own wrapping keeps it, and at 40
 * columns a wrapped line then starts one column in, looking like a new, indented item. A line
 * break in the text always starts a line; spaces at its start (an indent) are kept on that line.
 */
export function wrapPieces(text: string, width: number): Piece[] {
  const max = Math.max(1, width);
  const out: Piece[] = [];
  let base = 0;
  for (const paragraph of text.split('\n')) {
    // The line being filled: from `start`, its words up to `end`, `used` columns with trailing spaces.
    let start = base;
    let end = base;
    let used = 0;
    let continuation = false;
    const flush = (at: number) => {
      out.push({ start, end });
      start = end = at;
      used = 0;
      continuation = true;
    };
    let at = base;
    for (const word of paragraph.split(/(?<= )/)) {
      const wordAt = at;
      at += word.length;
      // `word` keeps its trailing space: it counts only if more follows on the same line.
      const bare = word.trimEnd();
      if (!bare) {
        // Spaces: kept as an indent at the start of a paragraph, dropped at the start of a wrapped line.
        if (used === 0 && continuation) start = end = at;
        else used += word.length;
        continue;
      }
      const graphemes = graphemesOf(bare);
      const bareWidth = graphemes.reduce((s, g) => s + g.width, 0);
      // A word wider than a whole line is cut anyway: it starts where the line is, as a terminal
      // wraps it, rather than leave a short row behind (a line of Chinese has no spaces to cut at).
      if (used + bareWidth > max && bareWidth <= max) {
        // A line of only an indent is not worth a row of its own: the indent goes instead.
        if (end > start) flush(wordAt);
        else {
          start = end = wordAt;
          used = 0;
        }
      }
      if (bareWidth > max) {
        let p = wordAt;
        for (const g of graphemes) {
          if (used > 0 && used + g.width > max) flush(p);
          p += g.text.length;
          end = p;
          used += g.width;
        }
      } else {
        end = wordAt + bare.length;
        used += bareWidth;
      }
      used += word.length - bare.length;
    }
    out.push({ start, end });
    base += paragraph.length + 1;
  }
  return out;
}

/** A text cut into lines as wrapPieces breaks it (see there). */
export function wrapLines(text: string, width: number): string[] {
  return wrapPieces(text, width).map((p) => text.slice(p.start, p.end));
}

/** A stretch of text in one style (Ink's <Text> props). */
export interface Run<S> {
  text: string;
  style: S;
}

/**
 * Styled text cut into lines as wrapLines cuts its plain text, each line the runs' parts that fall
 * on it: one rule for the rows a text takes and the rows drawn, whatever its colours.
 */
export function wrapRuns<S>(runs: readonly Run<S>[], width: number): Run<S>[][] {
  const text = runs.map((r) => r.text).join('');
  return wrapPieces(text, width).map(({ start, end }) => {
    const line: Run<S>[] = [];
    let at = 0;
    for (const run of runs) {
      const from = Math.max(start, at);
      const to = Math.min(end, at + run.text.length);
      if (from < to) line.push({ text: run.text.slice(from - at, to - at), style: run.style });
      at += run.text.length;
    }
    return line;
  });
}
