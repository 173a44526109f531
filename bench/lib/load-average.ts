/**
 * The machine's load average, printed at a bench's start and end: on a shared machine a figure
 * means little without it, and the two readings say whether the load changed during the run.
 */
import { cpus, loadavg } from 'node:os';

export interface LoadReading {
  at: string;
  load1m: number;
  load5m: number;
}

function read(at: string): LoadReading {
  const [one, five] = loadavg();
  return { at, load1m: Number(one!.toFixed(2)), load5m: Number(five!.toFixed(2)) };
}

/** Prints and returns the reading; `label` is `start` or `end`. */
export function printLoad(bench: string, label: 'start' | 'end'): LoadReading {
  const r = read(label);
  console.log(
    `${bench}: load average at ${label} ${r.load1m} (1 min), ${r.load5m} (5 min), ${cpus().length} CPUs`,
  );
  return r;
}

/**
 * Prints the load at start, runs `main`, prints it at the end (also when `main` fails), and
 * exits: 0 when it finished, 1 when it could not measure.
 */
export function runBench(bench: string, main: () => Promise<void>): void {
  printLoad(bench, 'start');
  main().then(
    () => {
      printLoad(bench, 'end');
      process.exit(0);
    },
    (err: Error) => {
      printLoad(bench, 'end');
      console.error(`${bench}: ${err.stack ?? err.message}`);
      process.exit(1);
    },
  );
}
