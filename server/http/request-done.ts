import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/index.js';

export interface DoneRequest {
  requestId: string;
  method: string;
  path: string;
  /** The route pattern that matched (`/api/sessions/:id`), or 'unmatched': the metrics label. */
  route: string;
  status: number;
  ms: number;
}

/**
 * The end of every answered request, wherever it was answered (the edge middleware, the health
 * probe): counted and timed by route pattern, and one debug log line.
 */
export function requestDone(log: Logger, metrics: Metrics, r: DoneRequest): void {
  metrics.httpRequest(r.method, r.route, r.status, r.ms / 1000);
  if (log.isLevelEnabled('debug'))
    log.debug(
      { requestId: r.requestId, method: r.method, path: r.path, status: r.status, ms: Math.round(r.ms) },
      'request',
    );
}
