/** How often at most the screen tells the server how far a room was read while messages stream in. */
export const READ_EVERY_MS = 1000;
/** How long a closing screen waits for its last markers to be acknowledged. */
export const LAST_READS_WAIT_MS = 1000;

/** Markers sent and not acknowledged yet, of every screen: the process waits for them to exit. */
const inFlight = new Set<Promise<unknown>>();

/**
 * Read markers on their way to the server. A reader at the bottom of a busy room reads every
 * message as it arrives; one `read` per message is a burst of 500 socket events (and as many
 * writes and pushes to the user's other devices, past the socket's request budget) for a burst of
 * 500 messages. The first marker goes at once, later ones at most once every `everyMs`, each the
 * room's newest; `flush` sends what is waiting at once (the room changes, is left, or the screen
 * closes). A marker never goes back.
 */
export class ReadMarks {
  private readonly sent = new Map<string, number>();
  private readonly pending = new Map<string, number>();
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (room: string, id: number) => Promise<unknown>,
    private readonly everyMs = READ_EVERY_MS,
  ) {}

  /** The room is read up to `id`. */
  mark(room: string, id: number): void {
    if (id <= Math.max(this.sent.get(room) ?? 0, this.pending.get(room) ?? 0)) return;
    this.pending.set(room, id);
    if (this.timer) return;
    const wait = this.last + this.everyMs - performance.now();
    if (wait <= 0) void this.flush();
    else this.timer = setTimeout(() => void this.flush(), wait);
  }

  /** Sends every marker waiting, now; resolves once the server has answered them (or failed). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return Promise.resolve();
    this.last = performance.now();
    const due = [...this.pending];
    this.pending.clear();
    const answered = Promise.allSettled(
      due.map(([room, id]) => {
        this.sent.set(room, id);
        return this.send(room, id);
      }),
    ).then(() => undefined);
    inFlight.add(answered);
    void answered.finally(() => inFlight.delete(answered));
    return answered;
  }
}

/**
 * Resolves once every marker sent so far is answered, or after `ms`: a server that has taken the
 * socket's `read` but sees the connection close before it handles it drops it.
 */
export function readsAnswered(ms = LAST_READS_WAIT_MS): Promise<void> {
  if (inFlight.size === 0) return Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    Promise.allSettled([...inFlight]).then(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer));
}
