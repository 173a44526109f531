import stringWidth from 'string-width';

/*
 * What a person sees as one character (a grapheme: an emoji with its skin tone, a letter with its
 * accent) and how many terminal columns it takes (2 for CJK and most emoji), for the editor to move
 * and delete by, and for the layouts to wrap by, so the cursor and the line ends stay where the
 * terminal draws them.
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export interface Grapheme {
  text: string;
  /** Where it starts, in code points (a Draft's cursor unit). */
  at: number;
  /** How many code points it holds. */
  size: number;
  /** Terminal columns it takes. */
  width: number;
}

/** The graphemes of a text, with where each starts in code points and its width in columns. */
export function graphemesOf(text: string): Grapheme[] {
  const out: Grapheme[] = [];
  let at = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = [...segment].length;
    out.push({ text: segment, at, size, width: stringWidth(segment) });
    at += size;
  }
  return out;
}

/** The grapheme boundary before `at` (code points), or 0. */
export function previousBoundary(text: string, at: number): number {
  let before = 0;
  for (const g of graphemesOf(text)) {
    if (g.at >= at) break;
    before = g.at;
  }
  return before;
}

/** The grapheme boundary after `at` (code points), or the text's end. */
export function nextBoundary(text: string, at: number): number {
  for (const g of graphemesOf(text)) if (g.at + g.size > at) return g.at + g.size;
  return [...text].length;
}

/** Terminal columns a text takes. */
export const columnsOf = (text: string): number => stringWidth(text);
