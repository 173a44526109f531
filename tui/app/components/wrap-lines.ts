import { graphemesOf } from './graphemes.js';

/**
 * A text cut into lines of at most `width` terminal columns, at spaces where it can be and inside a
 * word only when the word alone is wider. The space a line breaks at goes with the break, so a
 * continuation line starts flush at the left edge: Ink's own wrapping keeps it, and at 40 columns a
 * wrapped help line then starts one column in, looking like a new, indented item.
 */
export function wrapLines(text: string, width: number): string[] {
  const max = Math.max(1, width);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    const flush = () => {
      out.push(line.trimEnd());
      line = '';
      lineWidth = 0;
    };
    for (const word of paragraph.split(/(?<= )/)) {
      // `word` keeps its trailing space: it counts only if more follows on the same line.
      const bare = word.trimEnd();
      const bareWidth = graphemesOf(bare).reduce((s, g) => s + g.width, 0);
      if (lineWidth > 0 && lineWidth + bareWidth > max) flush();
      if (bareWidth > max) {
        for (const g of graphemesOf(bare)) {
          if (lineWidth + g.width > max) flush();
          line += g.text;
          lineWidth += g.width;
        }
        if (word !== bare && lineWidth < max) {
          line += ' ';
          lineWidth += 1;
        }
        continue;
      }
      line += word;
      lineWidth += graphemesOf(word).reduce((s, g) => s + g.width, 0);
    }
    out.push(line.trimEnd());
  }
  return out;
}
