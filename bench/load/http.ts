/**
 * The HTTP load generator: autocannon in a process of its own (forked by bench/lib/http-load.ts),
 * so its event loop never competes with the server's inside one process.
 *
 * Throughput is counted from the responses that complete inside a window that opens after a
 * warm-up and closes when the load stops, so a slow request (a 0.4 s login) neither goes
 * uncounted at the start nor cut off at the end: the load runs through the whole window.
 */
import autocannon from 'autocannon';
import { serveRole } from '../lib/rpc.js';
import { assertLoopback } from '../lib/stats.js';

export interface HttpLoadJob {
  url: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Per-request bodies and extra headers, sent in turn (e.g. a pool of accounts to log in). */
  variants?: { body?: string; headers?: Record<string, string> }[];
  connections: number;
  /** Seconds of load before the counting window opens. */
  warmupS: number;
  /** Seconds the window stays open; the load stops when it closes. */
  measureS: number;
  /** A fixed request rate (for a latency probe) instead of as fast as the server answers. */
  overallRate?: number;
  /** Latency probes: an autocannon warm-up run first, so the histogram holds only warm requests. */
  latencyWarmupS?: number;
}

export interface HttpLoadResult {
  /** 2xx answers per second inside the window. */
  rps: number;
  ok: number;
  /** Answers by status code over the whole run, so a bench can tell 429s from 500s. */
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
}

async function run(job: HttpLoadJob): Promise<HttpLoadResult> {
  assertLoopback(job.url);
  if (job.connections > 256 || job.warmupS + job.measureS > 120) throw new Error('load out of bounds');
  const statuses: Record<string, number> = {};
  let ok = 0;
  let next = 0;
  let opens = Infinity;
  let closes = Infinity;
  const variants = job.variants;
  const result = autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.warmupS + job.measureS,
    timeout: 10,
    overallRate: job.overallRate,
    headers: {
      ...(variants?.some((v) => v.body) ? { 'content-type': 'application/json' } : {}),
      ...job.headers,
    },
    warmup: job.latencyWarmupS ? { connections: job.connections, duration: job.latencyWarmupS } : undefined,
    requests: [
      {
        method: job.method ?? 'GET',
        path: job.path,
        // autocannon rejects a setupRequest key that is present but undefined.
        ...(variants && {
          setupRequest: (req) => {
            const v = variants[next++ % variants.length]!;
            return { ...req, body: v.body ?? req.body, headers: { ...req.headers, ...v.headers } };
          },
        }),
        onResponse(status) {
          statuses[status] = (statuses[status] ?? 0) + 1;
          const t = performance.now();
          if (status < 300 && t >= opens && t <= closes) ok++;
        },
      },
    ],
  });
  // 'start' fires when the measured run starts, after autocannon's own warm-up run if any.
  result.on('start', () => {
    opens = performance.now() + job.warmupS * 1000;
    closes = opens + job.measureS * 1000;
  });
  const r = await result;
  const windowS = Math.max(0.001, (Math.min(performance.now(), closes) - opens) / 1000);
  return {
    rps: ok / windowS,
    ok,
    statuses,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyMs: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      p999: r.latency.p99_9,
      max: r.latency.max,
      mean: r.latency.mean,
    },
  };
}

serveRole({ run });
