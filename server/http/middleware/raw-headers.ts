import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * What koa-helmet puts on Koa's answers, for the answers Koa never sees: Socket.IO handles its
 * own path (the polling transport, the browser client script) before the request reaches Koa.
 * None of them is a page, so the CSP allows nothing at all.
 */
const HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'DENY',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Sets the security headers on every response under `path` before any listener answers it.
 * Call after Socket.IO has attached (it replaces the server's request listeners with its own).
 */
export function hardenRawResponses(http: Server, path: string): void {
  const listeners = http.listeners('request') as RequestListener[];
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith(path + '/'))
      for (const [name, value] of Object.entries(HEADERS)) res.setHeader(name, value);
    for (const listener of listeners) listener.call(http, req, res);
  });
}
