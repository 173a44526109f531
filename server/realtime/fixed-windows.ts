/** One key's window: how much it spent since the window opened, and when the window ends (ms). */
interface Window {
  spent: number;
  endsAt: number;
}

/**
 * A per-key budget of `points` per window of `durationMs`, counted the way rate-limiter-flexible's
 * memory limiter counts (the socket budgets used it): a key's window opens with its first spend
 * and ends `durationMs` later, every spend counts, refused or not, and a spend past the points is
 * refused until the window ends. Answered synchronously: every chat message spends a budget, and
 * the library's promise per spend (two for a burst budget) kept a message waiting a turn or two
 * for an answer that was already known. Keys whose window has passed are forgotten by a sweep, so
 * nothing leaks; the sweep's timer runs only while some window is open.
 */
export class FixedWindows {
  private readonly windows = new Map<string, Window>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly points: number,
    private readonly durationMs: number,
  ) {}

  /** Spends one point of `key`'s budget: 0 when it was there, else the ms until its window ends. */
  spend(key: string, now = Date.now()): number {
    let window = this.windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      window = { spent: 0, endsAt: now + this.durationMs };
      this.windows.set(key, window);
      this.sweeper ??= setInterval(() => this.sweep(), this.durationMs).unref();
    }
    window.spent++;
    return window.spent > this.points ? window.endsAt - now : 0;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
    if (this.windows.size > 0) return;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
