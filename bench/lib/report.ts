/**
 * What a bench hands the runner: one `BENCH_RESULT {json}` line per figure on stdout, so the
 * runner needs no knowledge of any bench beyond that line, and a bench run by hand still prints
 * its own readable lines around it.
 */
import { loadavg } from 'node:os';

export const RESULT_PREFIX = 'BENCH_RESULT ';

export interface Figure {
  /** Stable key in results.json, e.g. `login-throughput`. */
  id: string;
  /** The figure's place in the table (the order its story tells them). */
  figure: number;
  name: string;
  unit: string;
  /** mux1's value. */
  value: number;
  /** The same measure on the baseline, in the same run; null where the figure has none. */
  baseline: number | null;
  baselineName: string | null;
  /** How the target compares the two, e.g. `mux1/raw` (higher is better) or `mux1 - node`. */
  ratio: number | null;
  ratioOf: string | null;
  /** The target in words, e.g. `ratio >= 0.9`. */
  target: string;
  /** null for a row that only informs (a baseline detail, a p50 beside a targeted p99). */
  pass: boolean | null;
  /** Anything a reader may want when the figure surprises: run counts, spreads, settings. */
  detail?: Record<string, unknown>;
}

export function emit(figure: Figure): void {
  // The load when the figure was taken: on a shared machine it says how far to trust it.
  const detail = { ...figure.detail, loadAverage1m: Number(loadavg()[0]!.toFixed(2)) };
  process.stdout.write(RESULT_PREFIX + JSON.stringify({ ...figure, detail }) + '\n');
}

/** Parses a line printed by `emit`, or undefined for any other line. */
export function parseResultLine(line: string): Figure | undefined {
  if (!line.startsWith(RESULT_PREFIX)) return undefined;
  try {
    const f = JSON.parse(line.slice(RESULT_PREFIX.length)) as Figure;
    return typeof f.id === 'string' && typeof f.value === 'number' ? f : undefined;
  } catch {
    return undefined;
  }
}
