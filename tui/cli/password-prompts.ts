import { CliError, UsageError } from './errors.js';

/**
 * Passwords for the account-lifecycle commands, which need other prompts than login's: a new
 * password (asked twice), or the current and a new one together. As with login they come from a
 * hidden prompt on the terminal (written to stderr, so --json keeps stdout to its one object) or,
 * with --password-stdin, one per line from standard input.
 */

/** Far above two passwords the server accepts; stops `--password-stdin < bigfile` from reading it all. */
const MAX_STDIN_BYTES = 8192;

export interface PasswordSource {
  fromStdin: boolean;
}

/** The new password for `password reset`: one line on stdin, or asked twice. */
export async function readNewPassword(source: PasswordSource): Promise<string> {
  if (source.fromStdin) return (await readStdinLines(1, 'the new password'))[0]!;
  return askNew(await prompter());
}

/** The current password, then the new one, for `password change`: two lines on stdin, or three prompts. */
export async function readPasswordChange(source: PasswordSource): Promise<{ current: string; next: string }> {
  if (source.fromStdin) {
    const [current, next] = await readStdinLines(2, 'the current password, then the new one');
    return { current: current!, next: next! };
  }
  const ask = await prompter();
  const current = await ask('Current password');
  return { current, next: await askNew(ask) };
}

type Ask = (message: string) => Promise<string>;

async function askNew(ask: Ask): Promise<string> {
  const next = await ask('New password');
  if ((await ask('New password again')) !== next) {
    throw new CliError('password_mismatch', 'The two new passwords differ; nothing was sent');
  }
  return next;
}

async function prompter(): Promise<Ask> {
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'no terminal to ask for the password on: pipe it in and add --password-stdin',
      'no_terminal',
    );
  }
  const { default: password } = await import('@inquirer/password');
  return (message) => password({ message }, { output: process.stderr });
}

/** Exactly `count` non-empty lines; only the line ending is dropped, since spaces may be part of a password. */
async function readStdinLines(count: number, expected: string): Promise<string[]> {
  if (process.stdin.isTTY) {
    throw new UsageError('--password-stdin reads passwords piped in, but standard input is a terminal');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError('--password-stdin: the input is too long for passwords');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new UsageError('--password-stdin: standard input was empty');
  const lines = text.split(/\r?\n/);
  if (lines.length !== count || lines.some((line) => line === '')) {
    const want = count === 1 ? 'one line' : `${count} lines`;
    throw new UsageError(`--password-stdin: expected ${want}: ${expected}`);
  }
  return lines;
}
