import type { Server } from 'node:http';

/** How often, while the server closes, connections that have gone idle are closed. */
const IDLE_SWEEP_MS = 100;

export interface Drain {
  /**
   * From now on every response says `Connection: close` and ends its connection, and idle
   * connections are closed as they go idle, until the HTTP server has closed.
   */
  begin(): void;
}

/**
 * Lets `http.close()` finish once the requests in flight have. Node's close() stops listening and
 * closes the connections idle at that moment, but a keep-alive connection that stays busy is
 * served for as long as its client sends on it: a Socket.IO client retrying its handshake on the
 * connection it already has (python-socketio does, every 0.2-0.5 s) held a shutdown past its
 * 10 s. A connection that finishes a response it began before the close would also linger for the
 * keep-alive timeout (5 s). Both are closed here as soon as they have nothing in flight.
 */
export function drainOnClose(http: Server): Drain {
  let draining = false;
  // First, so the header is set before Koa or Engine.IO writes the head of the response.
  http.prependListener('request', (_req, res) => {
    if (draining && !res.headersSent) res.setHeader('Connection', 'close');
  });
  return {
    begin() {
      if (draining) return;
      draining = true;
      http.closeIdleConnections();
      const sweep = setInterval(() => http.closeIdleConnections(), IDLE_SWEEP_MS);
      sweep.unref();
      http.once('close', () => clearInterval(sweep));
    },
  };
}
