import { useRef } from 'react';
import { Box, Text, useInput } from 'ink';

interface Props {
  value: string;
  onChange: (value: string) => void;
  onSubmit: (value: string) => void;
  placeholder: string;
  width: number;
  /** At most this many rows; a longer draft shows its end, where the typing happens. */
  maxRows: number;
}

/** Rows the draft needs at this width, within maxRows. */
export const draftRows = (length: number, width: number, maxRows: number) =>
  Math.min(maxRows, Math.max(1, Math.ceil((length + 3) / Math.max(10, width))));

/**
 * The chat's input line. Unlike a form field it must stay small whatever is typed or pasted,
 * so it shows the tail of a long draft instead of growing past the terminal. Editing is at the
 * end (type, paste, Backspace, Ctrl+U to clear), which is how a chat line is written.
 */
export function DraftInput({ value, onChange, onSubmit, placeholder, width, maxRows }: Props) {
  // Keys of one burst (a paste, then Enter) arrive before React renders again: each must see
  // the draft as the previous key left it, not as the last render showed it.
  const draft = useRef(value);
  if (value === '') draft.current = '';
  const set = (next: string) => {
    draft.current = next;
    onChange(next);
  };
  useInput((input, key) => {
    if (key.return) {
      const text = draft.current;
      draft.current = '';
      return onSubmit(text);
    }
    if (key.backspace || key.delete) return set([...draft.current].slice(0, -1).join(''));
    if (key.ctrl && input === 'u') return set('');
    const navigation =
      key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown;
    if (key.ctrl || key.meta || key.escape || key.tab || navigation || !input) return;
    // A burst such as "hello<Enter>" arrives as one string: each Enter in it sends what precedes it.
    const parts = input.split('\r');
    parts.forEach((part, i) => {
      if (part) set(draft.current + part.replace(/[\n\t]+/g, ' '));
      if (i < parts.length - 1) {
        const text = draft.current;
        draft.current = '';
        onSubmit(text);
      }
    });
  });
  const room = draftRows(value.length, width, maxRows) * Math.max(10, width) - 3;
  const shown = value.length > room ? '…' + value.slice(value.length - room + 1) : value;
  return (
    <Box>
      <Text color="cyan">{'> '}</Text>
      {value ? (
        <Text wrap="wrap">
          {shown}
          <Text inverse> </Text>
        </Text>
      ) : (
        <Text>
          <Text inverse> </Text>
          <Text dimColor>{placeholder}</Text>
        </Text>
      )}
    </Box>
  );
}
