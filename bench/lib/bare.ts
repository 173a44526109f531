/**
 * Baselines: the least a server can do to give the same answer, on the same machine in the same
 * run, so a ratio against them says what mux1's own work costs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';

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

/** node:http answering every request with `body()` as JSON. */
export function bareHttp(body: () => unknown): Promise<Bare> {
  return listen(
    createServer((_req, res) => {
      const json = JSON.stringify(body());
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(json);
    }),
  );
}

/** A Koa app with no middleware but one that sets `body()` as the JSON answer. */
export function bareKoa(body: () => unknown): Promise<Bare> {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = body();
  });
  return listen(createServer(app.callback()));
}
