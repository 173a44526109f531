/**
 * Baselines: the least a Koa app can do to give the same answer, on the same machine in the same
 * run, so a ratio against them says what mux1's own work costs on top of the framework it uses.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';

export interface Bare {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Bare> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A Koa app with @koa/router and one route, GET `path`, that sets `body()` as the JSON answer:
 * no middleware, no headers, no logging, no metrics.
 */
export function bareKoa(path: string, body: () => unknown): Promise<Bare> {
  const app = new Koa();
  const router = new Router();
  router.get(path, (ctx) => {
    ctx.body = body();
  });
  app.use(router.routes());
  return listen(createServer(app.callback()));
}
