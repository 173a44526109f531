import { styleText } from 'node:util';
import { Args, Flags } from '@oclif/core';
import { clientDefaults } from '../../config/client.js';
import {
  CHAT,
  codeProblem,
  emailProblem,
  LIMITS,
  passwordProblem,
  roomProblem,
  secondFactorProblem,
  usernameProblem,
} from '../../server/protocol.js';
import { CliError, paint, UsageError } from './errors.js';
import { cliTexts, ruleText, ruleWords, type Words } from './texts.js';

/*
 * What a command reads from the person. Flag values are checked here against the rules the server
 * shares (server/protocol.ts), so a typo is a usage error (exit 2) before anything is sent.
 * Passwords and codes never travel as flag values, where `ps` and shell history would show them:
 * they come from a hidden prompt on a terminal (written to stderr, so --json keeps stdout to its
 * one object) or, with --password-stdin / --code-stdin, one per line from standard input.
 */

// --- flags ---------------------------------------------------------------------------------------

/** A flag parser that refuses what the server would refuse, naming the field as the server does. */
const checked =
  (field: string, problem: (value: string) => string | undefined, tidy = (v: string) => v.trim()) =>
  async (input: string): Promise<string> => {
    const value = tidy(input);
    const wrong = problem(value);
    if (wrong) throw new UsageError(ruleWords(wrong), 'invalid_field', { field });
    return value;
  };

export const roomFlag = Flags.string({
  summary: `Chat room: 1-${CHAT.roomMax} characters of a-z, 0-9, _ and -, or dm:A-B (direct messages).`,
  default: CHAT.defaultRoom,
  parse: checked('room', roomProblem),
});

/** A message's id, for `edit` and `delete`. */
export const messageIdArg = Args.integer({
  description: 'The message id, as history and search print it.',
  required: true,
  min: 1,
  max: Number.MAX_SAFE_INTEGER,
});

/** A user to write to: checked as the server stores names, trimmed and lower-cased. */
export const userFlag = (summary: string, field: string) =>
  Flags.string({
    summary,
    parse: checked(field, usernameProblem, (v) => v.trim().toLowerCase()),
  });

export const usernameFlag = Flags.string({
  summary: `${LIMITS.usernameMin}-${LIMITS.usernameMax} characters: a-z 0-9 _ . -`,
  required: true,
  parse: checked('username', usernameProblem),
});

export const emailFlag = (summary: string) =>
  Flags.string({ summary, required: true, parse: checked('email', emailProblem) });

export const passwordStdinFlag = Flags.boolean({
  summary: 'Read the password from standard input (one line) instead of asking on the terminal.',
});

/**
 * `--code` stays for scripts written against it, but a code on the command line is visible to
 * every user of the machine in `ps`, and stays in shell history: for a reset code, that is a
 * window in which someone else can set the password. Help says so, and shows the other ways.
 */
export const codeFlags = {
  code: Flags.string({
    summary: `The ${LIMITS.codeDigits}-digit code. Discouraged: other users see it in ps, and it stays in shell history.`,
    parse: checked('code', codeProblem, (v) => v.replace(/\s+/g, '')),
    exclusive: ['code-stdin'],
  }),
  'code-stdin': Flags.boolean({
    summary: 'Read the code from standard input (one line). Without it or --code, the code is asked for.',
  }),
};

export interface CodeFlags {
  code?: string;
  'code-stdin'?: boolean;
}

/**
 * The command to run next, exactly as the person would type it: the values just used, quoted
 * for the shell where needed, and --server / --via when they are not the default.
 */
export function nextCommand(bin: string, words: string[], flags: { server?: string; via?: string }): string {
  const all = [bin, ...words];
  if (flags.server && flags.server !== clientDefaults.serverUrl) all.push('--server', flags.server);
  if (flags.via) all.push('--via', flags.via);
  return all.map(shellWord).join(' ');
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

// --- passwords and codes -------------------------------------------------------------------------

/** Far above any secrets the server accepts; stops `--password-stdin < bigfile` from reading it all. */
const MAX_STDIN_BYTES = 8192;

/** How many times a new password may be mistyped in its confirmation before the command gives up. */
const CONFIRM_TRIES = 3;

/** The password for login, signup (`confirm`: asked twice) and account deletion. */
export async function readPassword(options: { fromStdin: boolean; confirm?: boolean }): Promise<string> {
  if (options.fromStdin) {
    const [password] = await readStdinLines([THE.password], '--password-stdin');
    if (options.confirm) checkNewPassword(password!);
    return password!;
  }
  const ask = await prompter(THE.password, (t) => t('input.instead.password'));
  const t = cliTexts();
  return options.confirm
    ? askNew(ask, t('input.prompt.password'), t('input.prompt.passwordAgain'))
    : ask(t('input.prompt.password'));
}

/** The new password for `password reset`: one line on stdin, or asked twice. */
export async function readNewPassword(options: { fromStdin: boolean }): Promise<string> {
  return readPassword({ ...options, confirm: true });
}

/** The current password, then the new one, for `password change`: two lines on stdin, or three prompts. */
export async function readPasswordChange(options: {
  fromStdin: boolean;
}): Promise<{ current: string; next: string }> {
  if (options.fromStdin) {
    const [current, next] = await readStdinLines([THE.currentPassword, THE.newOne], '--password-stdin');
    checkNewPassword(next!);
    return { current: current!, next: next! };
  }
  const ask = await prompter(THE.passwords, (t) => t('input.instead.passwords'));
  const t = cliTexts();
  const current = await ask(t('input.prompt.currentPassword'));
  return {
    current,
    next: await askNew(ask, t('input.prompt.newPassword'), t('input.prompt.newPasswordAgain')),
  };
}

/**
 * The mailed code: --code, one line of stdin with --code-stdin, or a hidden prompt that asks again
 * until the code has the right shape.
 */
export async function readCode(flags: CodeFlags): Promise<string> {
  if (flags.code !== undefined) return flags.code;
  if (flags['code-stdin']) return checkCode((await readStdinLines([THE.code], '--code-stdin'))[0]!);
  const ask = await prompter(THE.code, (t) => t('input.instead.code'));
  const message = cliTexts()('input.prompt.mailedCode', { count: LIMITS.codeDigits });
  return (await ask(message, (v) => inTerminal(codeProblem(v.replace(/\s+/g, ''))))).replace(/\s+/g, '');
}

/** For `password reset --code-stdin --password-stdin`: the code on the first line, the password on the second. */
export async function readCodeAndNewPassword(): Promise<{ code: string; password: string }> {
  const [code, password] = await readStdinLines([THE.code, THE.newPassword], '--code-stdin --password-stdin');
  checkNewPassword(password!);
  return { code: checkCode(code!), password: password! };
}

function checkCode(line: string): string {
  const code = line.replace(/\s+/g, '');
  const wrong = codeProblem(code);
  if (wrong) throw new UsageError(ruleWords(wrong, '--code-stdin: '), 'invalid_field', { field: 'code' });
  return code;
}

function checkNewPassword(password: string): void {
  const wrong = passwordProblem(password);
  if (wrong) throw new UsageError(ruleWords(wrong), 'invalid_field', { field: 'password' });
}

/** A broken field rule, said at a prompt in the terminal's language. */
const inTerminal = (problem: string | undefined) => problem && ruleText(problem, cliTexts());

type Ask = (message: string, problem?: (value: string) => string | undefined) => Promise<string>;

/** What a command reads, as its messages name it. */
export const THE = {
  password: (t) => t('input.the.password'),
  passwords: (t) => t('input.the.passwords'),
  currentPassword: (t) => t('input.the.currentPassword'),
  newOne: (t) => t('input.the.newOne'),
  newPassword: (t) => t('input.the.newPassword'),
  code: (t) => t('input.the.code'),
  secondFactor: (t) => t('input.the.secondFactor'),
} satisfies Record<string, Words>;

/** A new password, asked twice; a mismatch asks again, up to CONFIRM_TRIES times. */
async function askNew(ask: Ask, label: string, again: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const next = await ask(label, (v) => inTerminal(passwordProblem(v)));
    if ((await ask(again)) === next) return next;
    if (attempt === CONFIRM_TRIES) {
      throw new CliError('password_mismatch', (t) => t('input.passwordsDiffered', { count: CONFIRM_TRIES }));
    }
    process.stderr.write(`${cliTexts()('input.passwordsDiffer')}\n`);
  }
}

/**
 * A hidden prompt on the terminal, or a usage error saying how to pipe the secret in instead. An
 * answer with a `problem` is refused with the reason, and the question asked afresh: the prompt's
 * own validation would keep the refused text in a field the person cannot see.
 */
async function prompter(what: Words, instead: Words): Promise<Ask> {
  if (!process.stdin.isTTY) {
    throw new UsageError((t) => t('input.noTerminal', { what: what(t), instead: instead(t) }), 'no_terminal');
  }
  const { default: password } = await import('@inquirer/password');
  return async (message, problem) => {
    for (;;) {
      const answer = await password({ message, theme: passwordTheme() }, { output: process.stderr });
      const wrong = problem?.(answer);
      if (!wrong) return answer;
      process.stderr.write(`${paint(process.stderr, 'red', '✗')} ${wrong}\n`);
    }
  };
}

/**
 * The hidden prompt's own words (@inquirer/password writes them in English) in the terminal's
 * language: what stands in for the hidden input, and the key that shows it.
 */
export function passwordTheme() {
  const t = cliTexts();
  const actions: Record<string, string> = { 'toggle visibility': t('input.toggleVisibility') };
  return {
    style: {
      maskedText: t('input.masked'),
      keysHelpTip: (keys: [string, string][]) =>
        keys
          .map(([key, action]) => `${styleText('bold', key)} ${styleText('dim', actions[action] ?? action)}`)
          .join(styleText('dim', ' • ')),
    },
  };
}

/**
 * Exactly one non-empty line per label from standard input. Only the line ending is dropped,
 * since spaces may be part of a password.
 */
async function readStdinLines(labels: Words[], flag: string): Promise<string[]> {
  if (process.stdin.isTTY) {
    throw new UsageError((t) => t('input.stdinIsTerminal', { flag }));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError((t) => t('input.tooLong', { flag }));
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new UsageError((t) => t('input.stdinEmpty', { flag }));
  const lines = text.split(/\r?\n/);
  if (lines.length !== labels.length || lines.some((line) => line === '')) {
    throw new UsageError((t) =>
      t('input.expectedLines', {
        flag,
        count: labels.length,
        labels: labels.map((label) => label(t)).join(t('input.then')),
      }),
    );
  }
  return lines;
}

// --- second factors ------------------------------------------------------------------------------

export const secondFactorStdinFlag = Flags.boolean({
  summary:
    'Read the two-factor code (or a backup code) from standard input, on the line after the password when --password-stdin is given too.',
});

/**
 * Standard input read one line at a time, for a command that must show something (the QR code of
 * a setup) before the next line can be known. Each line is taken when it is asked for.
 */
export function stdinLines(flag: string): { next(label: Words): Promise<string>; close(): void } {
  if (process.stdin.isTTY) {
    throw new UsageError((t) => t('input.stdinIsTerminal', { flag }));
  }
  let rl: import('node:readline').Interface | undefined;
  let lines: AsyncIterator<string> | undefined;
  return {
    async next(label) {
      if (!lines) {
        const { createInterface } = await import('node:readline');
        rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
        lines = rl[Symbol.asyncIterator]();
      }
      const { value, done } = await lines.next();
      if (done || value === '')
        throw new UsageError((t) => t('input.expectedLine', { flag, what: label(t) }));
      if (Buffer.byteLength(value) > MAX_STDIN_BYTES)
        throw new UsageError((t) => t('input.tooLong', { flag }));
      return value;
    },
    close: () => rl?.close(),
  };
}

/** A second factor as typed: spaces around it dropped; its shape checked as the server checks it. */
export function checkSecondFactor(line: string, flag = '--code-stdin'): string {
  const code = line.trim();
  const wrong = secondFactorProblem(code);
  if (wrong) throw new UsageError(ruleWords(wrong, `${flag}: `), 'invalid_field', { field: 'code' });
  return code;
}

/** The second factor on a terminal: a hidden prompt that asks again until the code has a right shape. */
export async function askSecondFactor(message = cliTexts()('input.prompt.secondFactor')): Promise<string> {
  const ask = await prompter(THE.secondFactor, (t) => t('input.instead.code'));
  return (await ask(message, (v) => inTerminal(secondFactorProblem(v.trim())))).trim();
}

/**
 * The password, then a second factor, for the commands that need both (`2fa disable`,
 * `2fa backup-codes`): two lines with both --password-stdin and --code-stdin, else prompts.
 */
export async function readPasswordAndSecondFactor(flags: {
  'password-stdin'?: boolean;
  'code-stdin'?: boolean;
}): Promise<{ password: string; code: string }> {
  if (flags['password-stdin'] && flags['code-stdin']) {
    const [password, code] = await readStdinLines([THE.password, THE.code], '--password-stdin --code-stdin');
    return { password: password!, code: checkSecondFactor(code!) };
  }
  const password = await readPassword({ fromStdin: Boolean(flags['password-stdin']) });
  const code = flags['code-stdin']
    ? checkSecondFactor((await readStdinLines([THE.code], '--code-stdin'))[0]!)
    : await askSecondFactor();
  return { password, code };
}

/** The passphrase of an SSH key file, on a terminal only: a key in ssh-agent needs none. */
export async function askKeyPassphrase(file: string): Promise<string> {
  const ask = await prompter(
    (t) => t('input.the.passphrase', { file }),
    (t) => t('input.instead.passphrase', { file }),
  );
  return ask(cliTexts()('input.prompt.passphrase', { file }));
}
