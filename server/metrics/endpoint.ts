import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from './registry.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when the Authorization header carries the token; compared in constant time. */
function hasBearer(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

/** The exposition text and its content type. */
async function exposition(metrics: Metrics): Promise<{ type: string; body: string }> {
  return { type: metrics.registry.contentType, body: await metrics.registry.metrics() };
}

export interface MetricsSettings {
  metricsToken?: string;
  metricsPort?: number;
  host: string;
}

/**
 * `GET /metrics` on the main port, only when METRICS_TOKEN is set and no METRICS_PORT is:
 * then the bearer token is required. Otherwise /metrics is an unknown path there.
 */
export function metricsRoutes(metrics: Metrics, settings: MetricsSettings): Router {
  const router = new Router();
  if (settings.metricsToken === undefined || settings.metricsPort !== undefined) return router;
  // Every method, so a POST without the token is told to authenticate, not what is allowed.
  router.all('/metrics', async (ctx) => {
    if (!hasBearer(ctx.get('authorization'), settings.metricsToken!)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError('unauthorized', 'send the metrics token as Authorization: Bearer <METRICS_TOKEN>');
    }
    if (ctx.method !== 'GET') {
      ctx.set('Allow', 'GET');
      throw new AppError('method_not_allowed', `${ctx.method} is not allowed here; see the Allow header`);
    }
    const { type, body } = await exposition(metrics);
    ctx.type = type;
    ctx.body = body;
  });
  return router;
}

/**
 * METRICS_PORT: /metrics on a listener of its own, on the same host, for a network only the
 * monitoring can reach. It asks for METRICS_TOKEN too when that is set.
 */
export function metricsListener(metrics: Metrics, settings: MetricsSettings, log: Logger) {
  let server: Server | undefined;
  return {
    async listen(): Promise<string | undefined> {
      if (settings.metricsPort === undefined) return undefined;
      server = createServer((req, res) => {
        const path = (req.url ?? '').split('?')[0];
        const answer = (status: number, error: string, code: string) => {
          res.writeHead(status, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
          res.end(JSON.stringify({ error, code }));
        };
        if (path !== '/metrics') return answer(404, `no such endpoint: ${path}`.slice(0, 200), 'not_found');
        if (settings.metricsToken && !hasBearer(req.headers.authorization, settings.metricsToken)) {
          return answer(
            401,
            'send the metrics token as Authorization: Bearer <METRICS_TOKEN>',
            'unauthorized',
          );
        }
        if (req.method !== 'GET')
          return answer(405, `${req.method} is not allowed here`, 'method_not_allowed');
        exposition(metrics).then(
          ({ type, body }) => {
            res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
            res.end(body);
          },
          (err: unknown) => {
            log.error({ err }, 'metrics collection failed');
            answer(500, 'metrics collection failed; the server logged it', 'internal_error');
          },
        );
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(settings.metricsPort, settings.host, () => resolve());
      });
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      return `http://${host}:${port}/metrics`;
    },
    async close(): Promise<void> {
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}
