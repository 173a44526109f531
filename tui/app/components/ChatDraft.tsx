import { useEffect, useRef } from 'react';
import { Box, Text } from 'ink';
import { useEditKeys } from '../hooks/useEditKeys.js';
import { complete, cycle, type Completion, type CompletionSources } from './complete.js';
import { EditText } from './EditText.js';
import { applyEdit, draftOf, EMPTY, layoutDraft, moveLine, type Draft } from './line-editor.js';

interface Props {
  draft: Draft;
  onChange: (draft: Draft) => void;
  onSubmit: (text: string) => void;
  /** The lines sent in this room, oldest first, for Up and Down. */
  recall: () => readonly string[];
  /** What Tab completes to, asked when Tab is pressed. */
  completions: () => CompletionSources;
  /** Changes when the room does: Up starts again from the newest line sent there. */
  room: string;
  placeholder: string;
  width: number;
  maxRows: number;
  isActive?: boolean;
}

/** Rows the draft takes on screen at this width, within maxRows. */
export const draftRows = (draft: Draft, width: number, maxRows: number) =>
  Math.min(maxRows, layoutDraft(draft, width, maxRows).total);

/**
 * The chat's draft: a shell's line editor (line-editor.ts) plus what a chat adds: Enter sends,
 * Alt-Enter and Ctrl-J break the line, Up/Down recall the lines sent in the room, Tab completes.
 * It grows to maxRows, then scrolls with the cursor.
 */
export function ChatDraft(props: Props) {
  const { draft, onChange, onSubmit, isActive = true } = props;
  // Keys of one burst (a paste, then Enter) arrive before React renders again: each must see the
  // draft as the previous key left it, not as the last render showed it.
  const current = useRef(draft);
  const emitted = useRef(draft);
  if (draft !== emitted.current) current.current = emitted.current = draft;
  const completion = useRef<{ state: Completion; after: Draft } | undefined>(undefined);
  const recall = useRef<{ index: number; saved: Draft } | undefined>(undefined);
  useEffect(() => {
    recall.current = undefined;
  }, [props.room]);

  const set = (next: Draft) => {
    current.current = emitted.current = next;
    onChange(next);
  };

  const recallStep = (direction: -1 | 1): void => {
    const lines = props.recall();
    const at = recall.current ?? { index: lines.length, saved: current.current };
    const index = at.index + direction;
    if (index < 0 || lines.length === 0) return;
    if (index >= lines.length) {
      if (!recall.current) return;
      recall.current = undefined;
      return set(at.saved);
    }
    recall.current = { index, saved: at.saved };
    set(draftOf(lines[index]!));
  };

  useEditKeys(
    (keys) => {
      for (const key of keys) {
        const d = current.current;
        if (key.name === 'tab') {
          const done =
            completion.current && completion.current.after === d
              ? cycle(d, completion.current.state)
              : complete(d, props.completions());
          // The completed draft is the one the next Tab must find, identity and all.
          completion.current = done && { state: done.state, after: done.draft };
          if (done) set(done.draft);
          continue;
        }
        completion.current = undefined;
        if (key.name === 'enter') {
          recall.current = undefined;
          set(EMPTY);
          onSubmit(d.value);
        } else if (key.name === 'up' || key.name === 'down') {
          const direction = key.name === 'up' ? -1 : 1;
          const moved = moveLine(d, direction);
          if (moved) set(moved);
          else recallStep(direction);
        } else {
          const next = applyEdit(d, key, { multiline: true });
          if (next && next !== d) set(next);
        }
      }
    },
    { isActive },
  );

  return (
    <Box>
      <Text color="cyan">{'> '}</Text>
      <EditText draft={draft} width={props.width} maxRows={props.maxRows} placeholder={props.placeholder} />
    </Box>
  );
}
