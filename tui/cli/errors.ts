import { Errors } from '@oclif/core';
import type { ErrorBody } from '../../server/protocol.js';
import { Mux1Error, type Mux1Code } from '../client/errors.js';
import { describeFailure } from '../client/language.js';
import { safeText } from '../client/safe-text.js';
import { TunnelError } from '../client/tunnel/errors.js';
import { cliTexts, englishTexts, speaksEnglish, type Words } from './texts.js';

/*
 * How the command line fails: its own error classes beside the clients' ones, what each failure
 * says and with which exit status (2 when the command was called wrongly, 1 for the rest), and
 * how it is written: `{error, code}` on stdout with --json, else one line on stderr, red on a
 * terminal, with the stack under it only when DEBUG asks for it.
 *
 * The JSON body is the same in every language (English words, the contract's code); the line on
 * stderr is in the terminal's language: the command line's own sentences from its catalog, a
 * client's or the server's by their code (describeFailure).
 */

export interface CliErrorOptions {
  field?: string;
  /** What to do about it, for people, in their language. */
  hint?: Words;
}

/** A failure of the command itself, beside the clients' ApiError, ChatError and TunnelError. */
export class CliError extends Mux1Error {
  override name = 'CliError';
  /** The sentence in any language, when the command line wrote it (message holds the English). */
  readonly words?: Words;
  readonly hint?: Words;
  constructor(
    code: Mux1Code,
    message: string | Words,
    readonly exitCode: 1 | 2 = 1,
    options: CliErrorOptions = {},
  ) {
    super(code, typeof message === 'string' ? message : message(englishTexts), { field: options.field });
    if (typeof message !== 'string') this.words = message;
    if (options.hint) this.hint = options.hint;
  }
}

/** The caller got the command wrong: unknown flag, missing flag, bad value. Exit 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string | Words, code: Mux1Code = 'usage', options: CliErrorOptions = {}) {
    super(code, message, 2, options);
  }
}

export interface DescribedError {
  body: ErrorBody<string>;
  /** The sentence for people, in the terminal's language; body.error when left out. */
  text?: string;
  /** What to do about it, for people; JSON readers branch on the code instead. */
  hint?: string;
}

/** Advice by code for failures that came from a client, which cannot know the command line. */
const HINTS: Partial<Record<string, Words>> = {
  unreachable: (t) => t('hints.unreachable'),
  timeout: (t) => t('hints.timeout'),
  unauthorized: (t) => t('hints.unauthorized'),
  email_not_verified: (t) => t('hints.emailNotVerified'),
  corrupt_credentials: (t) => t('hints.corruptCredentials'),
};

export function describeError(err: unknown): DescribedError {
  const t = cliTexts();
  // A tunnel's `unreachable` is about the SSH host, not the mux1 server: the hints do not apply.
  if (err instanceof TunnelError) return { body: bodyOf(err), text: textOf(err) };
  if (err instanceof CliError && err.words) {
    return { body: bodyOf(err), text: oneLine(err.words(t)), hint: (err.hint ?? HINTS[err.code])?.(t) };
  }
  if (Mux1Error.is(err)) {
    const wait = err.retryAfterS ? t('hints.retryAfter', { seconds: err.retryAfterS }) : undefined;
    const hint = err instanceof CliError && err.hint ? err.hint : HINTS[err.code];
    return { body: bodyOf(err), text: textOf(err), hint: hint?.(t) ?? wait };
  }
  // this.error(message, {code, exit, suggestions}) in a command, or oclif's own.
  if (err instanceof Errors.CLIError && err.code) {
    const body = { error: oneLine(err.message), code: err.code };
    return {
      body,
      text: describeFailure({ code: body.code, message: body.error }),
      hint: err.suggestions?.length ? err.suggestions.join('; ') : undefined,
    };
  }
  const e = err as { name?: string; message?: string } | undefined;
  if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError') {
    return { body: { error: 'Cancelled', code: 'cancelled' }, text: t('failure.cancelled') };
  }
  const detail = oneLine(e?.message ?? String(err));
  return {
    body: { error: englishTexts('failure.unexpected', { detail }), code: 'internal_error' },
    text: t('failure.unexpected', { detail }),
    hint: t('hints.internal'),
  };
}

/**
 * A client's or the server's failure for people: in English its own words, with every field the
 * server refused; in another language the text for its code (the words are English).
 */
function textOf(err: Mux1Error<string>): string {
  if (speaksEnglish()) {
    const more = (err.errors ?? []).slice(1).map((e) => `; ${oneLine(e.error)}`);
    return oneLine(err.message) + more.join('');
  }
  return describeFailure({ code: err.code, message: oneLine(err.message) });
}

function bodyOf(err: Mux1Error<string>): ErrorBody<string> {
  return {
    error: oneLine(err.message),
    code: err.code,
    ...(err.field ? { field: err.field } : {}),
    // Every field the server refused (docs/api.md, conventions), for a script to report at once.
    ...(err.errors ? { errors: err.errors.map((e) => ({ ...e, error: oneLine(e.error) })) } : {}),
  };
}

export function exitCodeFor(err: unknown): 1 | 2 {
  if (err instanceof CliError) return err.exitCode;
  // A target the parser let through but the tunnel could not read is still the caller's mistake.
  if (err instanceof TunnelError) return err.code === 'bad_target' ? 2 : 1;
  if (err instanceof Errors.CLIError && err.code) return err.oclif.exit === 2 ? 2 : 1;
  return 1;
}

/** Writes a failure as the contract wants it: the one JSON object, or one line on stderr. */
export function writeFailure(described: DescribedError, json: boolean, err?: unknown): void {
  if (json) {
    process.stdout.write(JSON.stringify(described.body) + '\n');
  } else {
    // The sentence may come from the server, or quote what someone typed: printed as text.
    const hint = described.hint ? ` - ${safeText(described.hint)}` : '';
    // The other fields the server refused follow the first on the same line (in textOf).
    const text = described.text ?? described.body.error;
    const label = cliTexts()('failure.label');
    process.stderr.write(`${paint(process.stderr, 'red', label)} ${safeText(text)}${hint}\n`);
  }
  if (err !== undefined && debugEnabled()) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
}

/** A failure of the SSH tunnel (`mux1 tunnel`, `--via`). */
export function isTunnelFailure(err: unknown): err is TunnelError {
  return err instanceof TunnelError;
}

/** Writes a tunnel failure and ends the command with its exit status. */
export function reportTunnelFailure(err: TunnelError, json: boolean): never {
  writeFailure(describeError(err), json, err);
  throw new Errors.ExitError(exitCodeFor(err));
}

/** oclif's parse messages span lines ("...\nSee more help with --help"); errors here are one line. */
export function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^See more help with/i.test(l) && !/^The following errors? occurred:?$/i.test(l))
    .join(': ')
    .replace(/^Parsing (--\S+)/, '$1')
    .replace(/:\s*:/g, ':')
    .replace(/\s+/g, ' ');
}

/** DEBUG=mux1 (or mux1*, or *) shows stacks and library chatter that is hidden otherwise. */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.DEBUG ?? '').split(/[\s,]+/).some((d) => d === 'mux1' || d === 'mux1*' || d === '*');
}

/**
 * Colour for people, never for pipes: only when the stream is a terminal and NO_COLOR is unset
 * (https://no-color.org: any non-empty value turns colour off). Plain ANSI, no library, so the
 * cold start stays small.
 */
export function colourOn(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

const codes = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22] } as const;

export type Colour = keyof typeof codes;

export function paint(stream: NodeJS.WriteStream, colour: Colour, text: string): string {
  if (!colourOn(stream)) return text;
  const [open, close] = codes[colour];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}
