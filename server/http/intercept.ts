import type { IncomingMessage, Server, ServerResponse } from 'node:http';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts `handle` in front of every request listener the server has now (Koa's app, and
 * Socket.IO's, which itself replaced the others: call this after Socket.IO attached). When
 * `handle` returns true it has answered, and the request goes no further.
 */
export function interceptRequests(
  http: Server,
  handle: (req: IncomingMessage, res: ServerResponse) => boolean,
): void {
  const listeners = http.listeners('request') as RequestListener[];
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (handle(req, res)) return;
    for (const listener of listeners) listener.call(http, req, res);
  });
}
