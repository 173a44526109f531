import { Errors } from '@oclif/core';
import type { ErrorBody } from '../../server/protocol.js';
import { Mux1Error, type Mux1Code } from '../client/errors.js';
import { safeText } from '../client/safe-text.js';
import { TunnelError } from '../client/tunnel/errors.js';

/*
 * How the command line fails: its own error classes beside the clients' ones, what each failure
 * says and with which exit status (2 when the command was called wrongly, 1 for the rest), and
 * how it is written: `{error, code}` on stdout with --json, else one line on stderr, red on a
 * terminal, with the stack under it only when DEBUG asks for it.
 */

/** A failure of the command itself, beside the clients' ApiError, ChatError and TunnelError. */
export class CliError extends Mux1Error {
  override name = 'CliError';
  constructor(
    code: Mux1Code,
    message: string,
    readonly exitCode: 1 | 2 = 1,
    options: { field?: string } = {},
  ) {
    super(code, message, options);
  }
}

/** The caller got the command wrong: unknown flag, missing flag, bad value. Exit 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string, code: Mux1Code = 'usage', options: { field?: string } = {}) {
    super(code, message, 2, options);
  }
}

export interface DescribedError {
  body: ErrorBody<string>;
  /** What to do about it, for people; JSON readers branch on the code instead. */
  hint?: string;
}

/** Advice by code for failures that came from a client, which cannot know the command line. */
const HINTS: Partial<Record<string, string>> = {
  unreachable: "is a mux1 server running there? Start one with 'mux1 server', or pass --server URL",
  timeout: 'the server may be overloaded; try again, or check --server',
  unauthorized: "your session has ended; log in again with 'mux1 login --username NAME'",
  email_not_verified:
    "run 'mux1 verify --email EMAIL' (it asks for the code), or 'mux1 resend --email EMAIL' for a new code",
  corrupt_credentials: "'mux1 login' writes a new one",
};

export function describeError(err: unknown): DescribedError {
  // A tunnel's `unreachable` is about the SSH host, not the mux1 server: the hints do not apply.
  if (err instanceof TunnelError) return { body: bodyOf(err) };
  if (Mux1Error.is(err)) {
    const wait = err.retryAfterS ? `try again in ${err.retryAfterS} s` : undefined;
    return { body: bodyOf(err), hint: HINTS[err.code] ?? wait };
  }
  // this.error(message, {code, exit, suggestions}) in a command.
  if (err instanceof Errors.CLIError && err.code) {
    return {
      body: { error: oneLine(err.message), code: err.code },
      hint: err.suggestions?.length ? err.suggestions.join('; ') : undefined,
    };
  }
  const e = err as { name?: string; message?: string } | undefined;
  if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError') {
    return { body: { error: 'Cancelled', code: 'cancelled' } };
  }
  return {
    body: { error: `Unexpected failure: ${oneLine(e?.message ?? String(err))}`, code: 'internal_error' },
    hint: 'run again with DEBUG=mux1 to see where, and report it',
  };
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
    // The other fields the server refused follow the first on the same line.
    const more = (described.body.errors ?? []).slice(1).map((e) => `; ${safeText(e.error)}`);
    process.stderr.write(
      `${paint(process.stderr, 'red', 'Error:')} ${safeText(described.body.error)}${more.join('')}${hint}\n`,
    );
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
