/** Key sequences a terminal sends, for driving Ink apps through ink-testing-library's stdin. */
export const keys = {
  enter: '\r',
  tab: '\t',
  shiftTab: '\u001B[Z',
  escape: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  ctrlC: '\u0003',
  backspace: '\u007F',
};

export const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

/** Waits until the last frame satisfies `check`, or fails with that frame in the message. */
export async function waitForFrame(
  lastFrame: () => string | undefined,
  check: (frame: string) => boolean,
  timeoutMs = 5000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const frame = lastFrame() ?? '';
    if (check(frame)) {
      // A screen that just appeared subscribes to the keyboard in an effect, after its first
      // frame is out: give it that moment, or the next keys would reach no one.
      await tick(30);
      return frame;
    }
    if (Date.now() > until) throw new Error(`frame never matched; last frame:\n${frame}`);
    await tick(20);
  }
}

/**
 * Enters text as one chunk, the way a paste or a fast typist's burst reaches the app, then
 * gives Ink a moment to render before the next key.
 */
export async function type(stdin: { write(s: string): void }, text: string): Promise<void> {
  stdin.write(text);
  await tick(40);
}

/** Presses one key and lets Ink render the result before anything else arrives. */
export async function press(stdin: { write(s: string): void }, key: string): Promise<void> {
  stdin.write(key);
  await tick(40);
}
