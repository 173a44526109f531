/** Nearest-rank percentile of an ascending array; NaN when empty. */
export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The median of `values[i] / baselines[i]`: the ratio of an alternating comparison, each round's
 * two runs taken together. On a shared machine whole rounds drift (one run of this machine swung
 * from 15k to 21k req/s between rounds); a round's two runs, made back to back, share its drift,
 * which the ratio of the two sides' medians does not undo when the slow rounds fall unevenly.
 */
export function pairedRatio(values: number[], baselines: number[]): number {
  if (values.length !== baselines.length) throw new Error('pairedRatio: one baseline per value');
  return median(values.map((value, i) => value / baselines[i]!));
}

export const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads `--name N` from argv: a whole number from 1 to `max`, or `fallback`. */
export function intFlag(name: string, fallback: number, max: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number >= 1`);
  return Math.min(value, max);
}

/** Refuses any target but this machine's loopback: the benches only ever load local servers. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
    throw new Error(`the benches only talk to loopback, not ${host}`);
  }
}
