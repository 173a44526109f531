import { useState } from 'react';
import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { Busy } from './Spinner.js';

export interface FieldSpec {
  name: string;
  label: string;
  secret?: boolean;
  placeholder?: string;
}

export interface ActionSpec {
  label: string;
  run: () => void;
}

interface Props {
  title: string;
  fields: FieldSpec[];
  values: Record<string, string>;
  onChange: (name: string, value: string) => void;
  onSubmit: () => void;
  onBack: () => void;
  submitLabel: string;
  /** Extra buttons after the submit button, e.g. "Resend code". */
  actions?: ActionSpec[];
  /** Errors by field name; shown beside that field. */
  fieldErrors?: Record<string, string>;
  /** An error that concerns no single field. */
  error?: string;
  notice?: string;
  busy?: string;
  initialFocus?: number;
}

/**
 * Labelled fields and buttons in one focus ring: Tab / Down go forward, Shift+Tab / Up go
 * back, Enter moves to the next field and submits from the last one, Esc goes back.
 */
export function Form(props: Props) {
  const buttons: ActionSpec[] = [{ label: props.submitLabel, run: props.onSubmit }, ...(props.actions ?? [])];
  const count = props.fields.length + buttons.length;
  const [focus, setFocus] = useState(props.initialFocus ?? 0);
  const busy = Boolean(props.busy);

  useInput((input, key) => {
    if (busy) return;
    if (key.escape) return props.onBack();
    if ((key.tab && key.shift) || key.upArrow) return setFocus((f) => (f - 1 + count) % count);
    if (key.tab || key.downArrow) return setFocus((f) => (f + 1) % count);
    if (key.return && focus >= props.fields.length) buttons[focus - props.fields.length]!.run();
    void input;
  });

  const submitFrom = (index: number) => {
    if (index === props.fields.length - 1) props.onSubmit();
    else setFocus(index + 1);
  };

  const width = Math.max(...props.fields.map((f) => f.label.length)) + 1;
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>{props.title}</Text>
      <Box flexDirection="column" marginTop={1}>
        {props.fields.map((field, i) => (
          <Box key={field.name} flexDirection="column">
            <Box>
              <Box width={width + 2}>
                <Text color={focus === i ? 'cyan' : undefined}>
                  {focus === i ? '›' : ' '} {field.label}
                </Text>
              </Box>
              <TextInput
                value={props.values[field.name] ?? ''}
                onChange={(v) => props.onChange(field.name, v)}
                onSubmit={() => submitFrom(i)}
                focus={focus === i && !busy}
                mask={field.secret ? '•' : undefined}
                placeholder={focus === i ? field.placeholder : undefined}
                showCursor
              />
            </Box>
            {props.fieldErrors?.[field.name] ? (
              <Box marginLeft={width + 2}>
                <Text color="red">✗ {props.fieldErrors[field.name]}</Text>
              </Box>
            ) : null}
          </Box>
        ))}
      </Box>
      <Box marginTop={1} gap={2}>
        {buttons.map((b, i) => {
          const focused = focus === props.fields.length + i;
          return (
            <Text key={b.label} inverse={focused} color={focused ? 'cyan' : undefined}>
              [ {b.label} ]
            </Text>
          );
        })}
      </Box>
      <Box marginTop={1} flexDirection="column">
        {props.busy ? <Busy label={props.busy} /> : null}
        {props.error ? <Text color="red">✗ {props.error}</Text> : null}
        {props.notice ? <Text color="green">{props.notice}</Text> : null}
        <Text dimColor>Tab/↑↓ move · Enter next/submit · Esc back</Text>
      </Box>
    </Box>
  );
}
