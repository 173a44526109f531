/**
 * A figure read from the database at scrape time whose cost grows with the data: live sessions
 * are counted over an index range as long as the sessions are many. While the figure is small it
 * is read at every scrape, so it is exact; once `isLarge(figure)`, a reading is served again until
 * `pace` times its own duration has passed, and then taken again in the background while the
 * scrape answers the last one. So a scrape never waits on a count over a large table (after the
 * first), and such counts take at most 1/`pace` of one database connection's time. Whether to
 * pace is decided by the figure, not by how long it took, so a slow moment of a small server
 * never makes its figures stale. Callers at the same moment share one reading.
 */
export interface PacedReadingOptions<T> {
  /** A figure this large is reused instead of read at every scrape. */
  isLarge: (figure: T) => boolean;
  /** A large figure is reused for this many times its reading's duration. */
  pace?: number;
  now?: () => number;
}

export function pacedReading<T>(
  read: () => Promise<T>,
  { isLarge, pace = 100, now = () => performance.now() }: PacedReadingOptions<T>,
): () => Promise<T> {
  let last: { value: T; at: number; tookMs: number } | undefined;
  let inFlight: Promise<T> | undefined;

  const take = (): Promise<T> =>
    (inFlight ??= (async () => {
      const started = now();
      try {
        const value = await read();
        const at = now();
        last = { value, at, tookMs: at - started };
        return value;
      } finally {
        inFlight = undefined;
      }
    })());

  return async () => {
    if (last === undefined || !isLarge(last.value)) return take();
    if (now() - last.at >= pace * last.tookMs && inFlight === undefined) {
      // The scrape answers the last figure; a failed refresh leaves it for the next try.
      take().catch(() => {});
    }
    return last.value;
  };
}
