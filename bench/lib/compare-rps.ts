/**
 * The shape shared by the throughput figures: one GET path on mux1 and on a baseline server that
 * gives the same answer, loaded in turn (autocannon in a child process) `rounds` times each, so
 * drift on a shared machine weighs on both alike. Each side's figure is the median of its runs;
 * the ratio is the median of the rounds' ratios (pairedRatio), and which side goes first
 * alternates, so neither always meets the machine as the other left it.
 */
import { failures, httpLoad } from './http-load.js';
import { emit, type Figure } from './report.js';
import { median, pairedRatio, round, sleep } from './stats.js';

export interface RpsComparison {
  id: string;
  figure: number;
  name: string;
  path: string;
  headers?: Record<string, string>;
  mux1Url: string;
  bareUrl: string;
  bareName: string;
  rounds: number;
  seconds: number;
  connections: number;
  /** mux1/bare must reach this. */
  target: number;
}

export async function compareRps(c: RpsComparison): Promise<Figure> {
  const load = (url: string) =>
    httpLoad({
      url,
      path: c.path,
      headers: c.headers,
      connections: c.connections,
      warmupS: 2,
      measureS: c.seconds,
    });
  const bareRps: number[] = [];
  const muxRps: number[] = [];
  const problems = new Set<string>();
  for (let i = 0; i < c.rounds; i++) {
    for (const side of i % 2 === 0 ? (['bare', 'mux1'] as const) : (['mux1', 'bare'] as const)) {
      const r = await load(side === 'bare' ? c.bareUrl : c.mux1Url);
      (side === 'bare' ? bareRps : muxRps).push(r.rps);
      if (side === 'mux1' && failures(r)) problems.add(failures(r));
    }
  }
  // Requests that were queued when the load stopped drain before the servers close.
  await sleep(500);
  const value = median(muxRps);
  const baseline = median(bareRps);
  const ratio = pairedRatio(muxRps, bareRps);
  const pass = ratio >= c.target && problems.size === 0;
  console.log(
    `${c.name}: mux1 ${value.toFixed(0)} req/s, ${c.bareName} ${baseline.toFixed(0)} req/s, ratio ` +
      `${ratio.toFixed(2)} (median of the rounds' ratios; target >= ${c.target}: ${pass ? 'held' : 'missed'}); rounds mux1 ` +
      `${muxRps.map((x) => x.toFixed(0)).join(' ')}, bare ${bareRps.map((x) => x.toFixed(0)).join(' ')}` +
      (problems.size ? `; failures ${[...problems].join('; ')}` : ''),
  );
  const figure: Figure = {
    id: c.id,
    figure: c.figure,
    name: c.name,
    unit: 'req/s',
    value: round(value, 0),
    baseline: round(baseline, 0),
    baselineName: c.bareName,
    ratio: round(ratio),
    ratioOf: 'mux1/bare',
    target: `ratio >= ${c.target}`,
    // A fast answer that is an error is no pass.
    pass,
    detail: {
      connections: c.connections,
      rounds: c.rounds,
      seconds: c.seconds,
      mux1Runs: muxRps.map((x) => round(x, 0)),
      bareRuns: bareRps.map((x) => round(x, 0)),
      ...(problems.size ? { failures: [...problems] } : {}),
    },
  };
  emit(figure);
  return figure;
}
