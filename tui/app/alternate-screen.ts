import { writeSync } from 'node:fs';

/**
 * The TUI draws on the terminal's alternate screen, as less, vim and weechat do, so the shell's
 * screen and scrollback come back exactly as they were when it ends: by /quit, Ctrl+C, a signal
 * (the terminal closing, kill) or a crash. The way back is written synchronously, so it is out
 * before the process is gone whatever ends it.
 */
export const ENTER = '\u001B[?1049h';
/** Back to the main screen (it restores the cursor saved on entry), cursor shown again. */
export const LEAVE = '\u001B[?1049l\u001B[?25h';

/** SIGINT too: a Ctrl+C before Ink has put the terminal in raw mode still arrives as a signal. */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const NUMBER: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export interface AlternateScreen {
  /** Leaves the alternate screen; only the first call writes. */
  leave(): void;
}

export function enterAlternateScreen(
  stdout: { isTTY?: boolean; fd?: number; write(s: string): unknown },
  proc: NodeJS.Process = process,
): AlternateScreen {
  // A pipe gets no escape sequences: nothing to enter, nothing to give back.
  if (!stdout.isTTY) return { leave: () => {} };
  const fd = stdout.fd ?? 1;
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    proc.removeListener('exit', leave);
    proc.removeListener('uncaughtException', crashed);
    proc.removeListener('unhandledRejection', crashed);
    for (const s of SIGNALS) proc.removeListener(s, signalled);
    // The raw mode Ink set is undone too, or the shell would get a terminal that echoes nothing.
    const stdin = proc.stdin as NodeJS.ReadStream | undefined;
    if (stdin?.isTTY && stdin.isRaw) stdin.setRawMode(false);
    try {
      writeSync(fd, LEAVE);
    } catch {
      // The terminal is gone (SIGHUP): there is nothing left to give back.
    }
  };
  // A crash is told on the main screen, where it stays readable after the process has ended.
  const crashed = (err: unknown) => {
    leave();
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    proc.exit(1);
  };
  const signalled = (signal: NodeJS.Signals) => {
    leave();
    proc.exit(128 + (NUMBER[signal as keyof typeof NUMBER] ?? 15));
  };
  proc.on('exit', leave);
  proc.on('uncaughtException', crashed);
  proc.on('unhandledRejection', crashed);
  for (const s of SIGNALS) proc.on(s, signalled);
  stdout.write(ENTER);
  return { leave };
}
