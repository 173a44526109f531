/** Runs one HTTP load (bench/load/http.ts) in a child process and returns what it measured. */
import { forkRole } from './rpc.js';
import type { HttpLoadJob, HttpLoadResult } from '../load/http.js';

export type { HttpLoadJob, HttpLoadResult };

const loadModule = new URL('../load/http.ts', import.meta.url).href;

export async function httpLoad(job: HttpLoadJob): Promise<HttpLoadResult> {
  const child = forkRole(loadModule, 'http-load');
  try {
    const budgetMs = (job.warmupS + job.measureS + (job.latencyWarmupS ?? 0) + 30) * 1000;
    return await child.call<HttpLoadResult>('run', job, budgetMs);
  } finally {
    child.kill();
  }
}

/** Non-2xx answers and transport errors of a run, in words, or '' when every answer was 2xx. */
export function failures(r: HttpLoadResult): string {
  const bad = Object.entries(r.statuses).filter(([status]) => Number(status) >= 300);
  const parts = bad.map(([status, n]) => `${n}x ${status}`);
  if (r.errors) parts.push(`${r.errors} errors`);
  if (r.timeouts) parts.push(`${r.timeouts} timeouts`);
  return parts.join(', ');
}
