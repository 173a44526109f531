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
  useInput((input, key) => {
    if (key.return) return onSubmit(value);
    if (key.backspace || key.delete) return onChange([...value].slice(0, -1).join(''));
    if (key.ctrl && input === 'u') return onChange('');
    if (
      key.ctrl ||
      key.meta ||
      key.escape ||
      key.tab ||
      key.upArrow ||
      key.downArrow ||
      key.pageUp ||
      key.pageDown
    )
      return;
    if (key.leftArrow || key.rightArrow) return;
    if (input) onChange(value + input.replace(/\r\n?/g, '\n'));
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
