import { useCallback, useRef, useState } from 'react';
import { Box, Text, useStdout } from 'ink';
import InkSpinner from 'ink-spinner';
import type { FieldError } from '../../../server/protocol.js';
import { Mux1Error } from '../../client/errors.js';
import { describeFailure, terminal, textsOf } from '../../client/language.js';
import { useEditKeys } from '../hooks/useEditKeys.js';
import { EditText } from './EditText.js';
import type { EditKey } from './keys.js';
import { applyEdit, type Draft } from './line-editor.js';
import { wrapLines } from './wrap-lines.js';

const t = textsOf('tui');

/**
 * A text the server or a shared check (server/protocol.ts, client/tokens.ts) words in English: in
 * English those words, which name the detail; in another language the catalog's text for it.
 */
export const inOurWords = (english: string, translated: () => string): string =>
  terminal.language === 'en' ? english : translated();

/** A check's problem, if any, in the terminal's language (see inOurWords). */
export const problemIn = (problem: string | undefined, translated: () => string): string | undefined =>
  problem && inOurWords(problem, translated);

/*
 * The account screens' form kit: the Form itself, the hook that submits it one request at a time,
 * and the spinner shown while a request runs.
 */

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
  /** Called with the values as typed, including keys that arrived in the same burst as Enter. */
  onSubmit: (values: Record<string, string>) => void;
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
 *
 * The form reads the keyboard itself and keeps focus and text in refs updated per key, because
 * a terminal delivers a paste or a fast burst ("name<Tab>secret<Enter>") as one chunk: every
 * key in it must land in the field that has focus at that moment, not at the last render.
 * Fields edit as the chat's draft does (line-editor.ts): cursor keys, words, kills.
 */
export function Form(props: Props) {
  const buttons: ActionSpec[] = [
    { label: props.submitLabel, run: () => props.onSubmit({ ...values.current }) },
    ...(props.actions ?? []),
  ];
  const count = props.fields.length + buttons.length;
  const [focus, setFocusState] = useState(props.initialFocus ?? 0);
  const focusRef = useRef(focus);
  const { stdout } = useStdout();
  const values = useRef<Record<string, string>>({ ...props.values });
  const cursors = useRef<Record<string, number>>({});
  const busy = Boolean(props.busy);

  // The parent may change a value (e.g. a pre-filled email); adopt it unless it is ours.
  for (const f of props.fields) {
    if (props.values[f.name] !== undefined && props.values[f.name] !== values.current[f.name]) {
      values.current[f.name] = props.values[f.name]!;
      cursors.current[f.name] = [...props.values[f.name]!].length;
    }
  }

  const setFocus = (next: number) => {
    focusRef.current = (next + count) % count;
    setFocusState(focusRef.current);
  };

  const enter = (at: number) => {
    if (at < props.fields.length - 1) return setFocus(at + 1);
    if (at === props.fields.length - 1) return props.onSubmit({ ...values.current });
    buttons[at - props.fields.length]!.run();
  };

  const edit = (at: number, k: EditKey) => {
    const field = props.fields[at];
    if (!field) return;
    const current = values.current[field.name] ?? '';
    const draft: Draft = { value: current, cursor: cursors.current[field.name] ?? [...current].length };
    const next = applyEdit(draft, k);
    if (!next) return;
    values.current[field.name] = next.value;
    cursors.current[field.name] = next.cursor;
    props.onChange(field.name, next.value);
  };

  // A burst ("name<Tab>secret<Enter>") decodes to its keys in order: Tab and Enter inside it move on.
  useEditKeys((keys) => {
    for (const key of keys) {
      if (busy) return;
      if (key.name === 'escape') return props.onBack();
      if (key.name === 'shiftTab' || key.name === 'up' || key.name === 'previous')
        setFocus(focusRef.current - 1);
      else if (key.name === 'tab' || key.name === 'down' || key.name === 'next')
        setFocus(focusRef.current + 1);
      else if (key.name === 'enter') enter(focusRef.current);
      else edit(focusRef.current, key);
    }
  });

  // A problem with a field this form does not show (a server may name more) still gets said.
  const strayErrors = Object.entries(props.fieldErrors ?? {}).filter(
    ([name]) => !props.fields.some((f) => f.name === name),
  );
  const width = Math.max(...props.fields.map((f) => f.label.length)) + 1;
  const columns = stdout.columns || 80;
  const fieldWidth = Math.max(10, columns - width - 4);
  // On a narrow terminal an error under the label's column would wrap into many rows: it starts left.
  const narrow = columns < 60;
  const errorIndent = narrow ? 2 : width + 2;
  // Texts are cut into lines here (inside the form's one-column padding), not by Ink: a line then
  // starts flush after a wrap, and the form knows how many rows it takes.
  const inner = columns - 2;
  const fieldErrorLines = (name: string) => {
    const text = props.fieldErrors?.[name];
    return text ? wrapLines(`✗ ${text}`, inner - errorIndent) : [];
  };
  const bottom = [
    ...(props.error ? wrapLines(`✗ ${props.error}`, inner) : []),
    ...strayErrors.flatMap(([, text]) => wrapLines(`✗ ${text}`, inner)),
  ];
  const noticeLines = props.notice ? wrapLines(props.notice, inner) : [];
  const fieldRows = props.fields.reduce((sum, f) => sum + 1 + fieldErrorLines(f.name).length, 0);
  const bottomRows = (props.busy ? 1 : 0) + bottom.length + noticeLines.length + 1;
  // A short terminal (40x12) loses the blank rows first, then the title, rather than the form's top.
  let spare = (stdout.rows || 24) - (1 + 1 + fieldRows + 1 + 1 + 1 + bottomRows);
  const keep = () => spare++ >= 0;
  const spaceBeforeHelp = keep();
  const spaceBeforeButtons = keep();
  const spaceAfterTitle = keep();
  const title = keep();
  return (
    <Box flexDirection="column" paddingX={1}>
      {title ? <Text bold>{props.title}</Text> : null}
      <Box flexDirection="column" marginTop={title && spaceAfterTitle ? 1 : 0}>
        {props.fields.map((field, i) => {
          const value = props.values[field.name] ?? '';
          const cursor = Math.min(cursors.current[field.name] ?? [...value].length, [...value].length);
          const focused = focus === i && !busy;
          const errorLines = fieldErrorLines(field.name);
          return (
            <Box key={field.name} flexDirection="column">
              <Box>
                <Box width={width + 2} flexShrink={0}>
                  <Text color={focus === i ? 'cyan' : undefined}>
                    {focus === i ? '›' : ' '} {field.label}
                  </Text>
                </Box>
                <EditText
                  draft={{ value, cursor }}
                  width={fieldWidth}
                  masked={field.secret}
                  focused={focused}
                  placeholder={focused ? field.placeholder : undefined}
                />
              </Box>
              {errorLines.length > 0 ? (
                <Box marginLeft={errorIndent}>
                  <Text color="red">{errorLines.join('\n')}</Text>
                </Box>
              ) : null}
            </Box>
          );
        })}
      </Box>
      <Box marginTop={spaceBeforeButtons ? 1 : 0} gap={2}>
        {buttons.map((b, i) => {
          const focused = focus === props.fields.length + i;
          return (
            <Text key={b.label} inverse={focused} color={focused ? 'cyan' : undefined}>
              [ {b.label} ]
            </Text>
          );
        })}
      </Box>
      <Box marginTop={spaceBeforeHelp ? 1 : 0} flexDirection="column">
        {props.busy ? <Busy label={props.busy} /> : null}
        {bottom.length > 0 ? <Text color="red">{bottom.join('\n')}</Text> : null}
        {noticeLines.length > 0 ? <Text color="green">{noticeLines.join('\n')}</Text> : null}
        <Text dimColor wrap="truncate-end">
          {t('form.help')}
        </Text>
      </Box>
    </Box>
  );
}

export function Busy({ label }: { label: string }) {
  return (
    <Text>
      <Text color="cyan">
        <InkSpinner type="dots" />
      </Text>{' '}
      {label}
    </Text>
  );
}

export interface SubmitState {
  busy?: string;
  error?: string;
  fieldErrors: Record<string, string>;
}

/**
 * Runs one request at a time for a form: a spinner label while it runs, and its failure
 * split into the field it concerns (shown beside that field) or a message for the form.
 */
export function useSubmit() {
  const [state, setState] = useState<SubmitState>({ fieldErrors: {} });
  const running = useRef(false);
  const fail = useCallback((field: string | undefined, error: string, all?: readonly FieldError[]) => {
    // The server's every field problem when it listed them (the first of a field), else the one it named.
    const listed = new Map<string, string>();
    for (const e of all ?? [])
      if (e.field && !listed.has(e.field))
        listed.set(e.field, describeFailure({ code: e.code, message: e.error }));
    if (listed.size > 0) return setState({ fieldErrors: Object.fromEntries(listed) });
    setState(field ? { fieldErrors: { [field]: error } } : { error, fieldErrors: {} });
  }, []);
  const run = useCallback(
    async <T,>(label: string, request: () => Promise<T>): Promise<T | undefined> => {
      if (running.current) return undefined;
      running.current = true;
      setState({ busy: label, fieldErrors: {} });
      try {
        const result = await request();
        setState({ fieldErrors: {} });
        return result;
      } catch (err) {
        const failure = Mux1Error.from(err);
        fail(failure.field, describeFailure(failure), failure.errors);
        return undefined;
      } finally {
        running.current = false;
      }
    },
    [fail],
  );
  /**
   * Checks fields before sending: every problem is shown beside its field (the first one of a field
   * when it has several), so all can be fixed in one go; false when there was any.
   */
  const check = useCallback((checks: [field: string, problem: string | undefined][]): boolean => {
    const fieldErrors: Record<string, string> = {};
    for (const [field, problem] of checks) if (problem && !fieldErrors[field]) fieldErrors[field] = problem;
    if (Object.keys(fieldErrors).length > 0) setState({ fieldErrors });
    return Object.keys(fieldErrors).length === 0;
  }, []);
  return { ...state, run, fail, check };
}
