import { Box, Text } from 'ink';
import { layoutDraft, windowDraft, type Draft } from './line-editor.js';

interface Props {
  draft: Draft;
  width: number;
  /** Rows the text may take before it scrolls (1: a form field). */
  maxRows?: number;
  /** Shown as bullets, for passwords. */
  masked?: boolean;
  /** Shows the cursor; an unfocused field shows just its text. */
  focused?: boolean;
  placeholder?: string;
}

/** Draws a field being edited: the rows around the cursor, the cursor as an inverse cell. */
export function EditText({ draft, width, maxRows = 1, masked = false, focused = true, placeholder }: Props) {
  const shown: Draft = masked ? { value: '•'.repeat([...draft.value].length), cursor: draft.cursor } : draft;
  if (!draft.value) {
    return (
      // A placeholder longer than the field is cut: wrapped, it would make the form a row taller.
      <Text wrap="truncate-end">
        {focused ? <Text inverse> </Text> : null}
        {placeholder ? <Text dimColor>{placeholder}</Text> : null}
      </Text>
    );
  }
  // One row scrolls sideways with the cursor; more rows wrap, and scroll down with it.
  const rows = maxRows === 1 ? [windowDraft(shown, width)] : layoutDraft(shown, width, maxRows).rows;
  return (
    <Box flexDirection="column">
      {rows.map((row, i) => {
        const chars = [...row.text];
        const before = row.hiddenBefore ? <Text dimColor>…</Text> : null;
        const after = row.hiddenAfter ? <Text dimColor>…</Text> : null;
        if (!focused || row.cursor === undefined) {
          return (
            <Text key={i} wrap="truncate-end">
              {before}
              {row.text || ' '}
              {after}
            </Text>
          );
        }
        // The cursor covers the whole character under it: both columns of a wide one.
        const end = row.cursor + (row.cursorSize ?? 1);
        return (
          <Text key={i} wrap="truncate-end">
            {before}
            {chars.slice(0, row.cursor).join('')}
            <Text inverse>{chars.slice(row.cursor, end).join('') || ' '}</Text>
            {chars.slice(end).join('')}
            {after}
          </Text>
        );
      })}
    </Box>
  );
}
