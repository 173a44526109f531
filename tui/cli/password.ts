import { Flags } from '@oclif/core';
import { CliError, UsageError } from './errors.js';

export const passwordStdinFlag = Flags.boolean({
  summary: 'Read the password from standard input (one line) instead of asking on the terminal.',
});

/** Far above any password the server accepts; stops `--password-stdin < bigfile` from reading it all. */
const MAX_STDIN_BYTES = 4096;

/**
 * The password, from a pipe with --password-stdin or from a hidden prompt on a terminal. The
 * prompt writes to stderr so `--json` keeps stdout to its one object.
 */
export async function readPassword(options: { fromStdin: boolean; confirm?: boolean }): Promise<string> {
  if (options.fromStdin) {
    if (process.stdin.isTTY) {
      throw new UsageError('--password-stdin reads a password piped in, but standard input is a terminal');
    }
    return readStdinPassword();
  }
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'no terminal to ask for the password on: pipe it in and add --password-stdin',
      'no_terminal',
    );
  }
  const { default: password } = await import('@inquirer/password');
  const ask = (message: string) => password({ message }, { output: process.stderr });
  const first = await ask('Password');
  if (options.confirm && (await ask('Password again')) !== first) {
    throw new CliError('password_mismatch', 'The two passwords differ; nothing was sent');
  }
  return first;
}

async function readStdinPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > MAX_STDIN_BYTES)
      throw new UsageError('--password-stdin: the input is too long for a password');
    chunks.push(buf);
  }
  // Only the line ending that `echo` or a heredoc adds is dropped: spaces may be part of a password.
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new UsageError('--password-stdin: standard input was empty');
  if (/[\r\n]/.test(text)) throw new UsageError('--password-stdin: expected one line, got several');
  return text;
}
