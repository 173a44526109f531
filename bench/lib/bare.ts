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
  /** The HTTP server, whose request listeners bench/me-cpu.ts --in-process calls directly. */
  http: Server;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Bare> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    http: server,
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
  return { ...(await listen(http)), close: () => io.close() };
}

/**
 * The chat baseline: Socket.IO with nothing but rooms and a broadcast. It delivers the same
 * message, field for field, that mux1 delivers (docs/api.md, `message`): the author as
 * `{id, username}` (named like the bench's seeded users, so as long), an empty `mentions` and a
 * null `edited_at`, and acknowledges with the message's id. A ratio against it then says what
 * mux1's work costs, not how many bytes its contract puts on the wire, as the HTTP benches compare
 * against a bare app answering the same JSON. Nothing is stored.
 */
export async function bareSocketChat(): Promise<Bare> {
  const http = createServer();
  const io = new SocketServer(http, { serveClient: false });
  let lastId = 0;
  let connected = 0;
  io.on('connection', (socket) => {
    const n = connected++ % 100;
    const user = { id: n + 1, username: `bench${n}` };
    void socket.join('lobby');
    socket.emit('connected', { message: `Connected to mux1 as ${user.username}.`, sid: socket.id, user });
    socket.on('join', ({ room }: { room: string }, ack?: (r: object) => void) => {
      void socket.join(room);
      ack?.({ ok: true, room });
    });
    socket.on('message', ({ room, text }: { room: string; text: string }, ack?: (r: object) => void) => {
      const id = ++lastId;
      io.to(room).emit('message', { id, room, user, text, ts: Date.now(), mentions: [], edited_at: null });
      ack?.({ ok: true, id });
    });
  });
  return { ...(await listen(http)), close: () => io.close() };
}
