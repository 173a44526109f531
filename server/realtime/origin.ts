import type { IncomingMessage } from 'node:http';
import type { ServerOptions } from 'socket.io';

/**
 * Browsers send Origin on every Socket.IO request, and CORS does not guard WebSockets, so
 * origins are checked here for both transports. Same origin, the public URL and CORS_ORIGINS
 * pass; a request without Origin is not from a browser page (the CLI, the TUI, curl) and passes.
 */
export function originPolicy(
  corsOrigins: string[],
  publicUrl: () => string | undefined,
): Pick<ServerOptions, 'allowRequest' | 'cors'> {
  const any = corsOrigins.includes('*');
  const allowed = (origin: string, host: string | undefined): boolean => {
    if (any || corsOrigins.includes(origin)) return true;
    try {
      const url = new URL(origin);
      if (host !== undefined && url.host === host) return true;
      const pub = publicUrl();
      return pub !== undefined && new URL(pub).origin === url.origin;
    } catch {
      return false;
    }
  };
  return {
    allowRequest(req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) {
      const origin = req.headers.origin;
      if (origin === undefined || allowed(origin, req.headers.host)) return callback(null, true);
      callback('origin not allowed', false);
    },
    // Only the polling transport reads these headers; allowRequest above is the real check.
    cors: corsOrigins.length > 0 ? { origin: any ? true : corsOrigins, methods: ['GET', 'POST'] } : undefined,
  };
}
