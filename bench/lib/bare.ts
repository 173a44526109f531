/**
 * Baselines: the least a Koa app can do to give the same answer, on the same machine in the same
 * run, so a ratio against them says what mux1's own work costs on top of the framework it uses.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { Server as SocketServer } from 'socket.io';

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

/**
 * A Socket.IO server whose sockets join the lobby and are greeted, as mux1's are, and do nothing
 * else: what an idle socket costs without mux1 (socket-memory.ts, socket-heap.ts).
 */
export async function bareSocketLobby(): Promise<Bare> {
  const http = createServer();
  const io = new SocketServer(http, { serveClient: false });
  io.on('connection', (socket) => {
    void socket.join('lobby');
    socket.emit('connected', { message: 'hi', sid: socket.id, user: null });
  });
  const { url } = await listen(http);
  return { url, close: () => io.close() };
}
