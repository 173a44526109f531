import type { Server } from 'node:http';
import { interceptRequests } from '../intercept.js';
import { API_HEADERS, setHeaders } from './headers.js';

/**
 * Sets the security headers on every response under `path` before any listener answers it:
 * Socket.IO handles its own path (the polling transport, the browser client script) before the
 * request reaches Koa.
 */
export function hardenRawResponses(http: Server, path: string): void {
  interceptRequests(http, (req, res) => {
    if (req.url?.startsWith(path + '/')) setHeaders(res, API_HEADERS);
    return false;
  });
}
