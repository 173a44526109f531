import type { ChatSocket } from './types.js';

type Middleware = (socket: ChatSocket, next: (err?: Error) => void) => void;

/**
 * At most `limit` sockets per client address, so one client cannot hold thousands of
 * connections. A slot is taken in the handshake and given back when the socket disconnects
 * or, if it never got that far, when its transport closes.
 */
export function connectionLimit(limit: number): { middleware: Middleware; count(address: string): number } {
  const open = new Map<string, number>();

  const middleware: Middleware = (socket, next) => {
    const address = socket.data.address;
    const n = open.get(address) ?? 0;
    if (n >= limit) {
      const message = `too many connections from your address (at most ${limit})`;
      const err = Object.assign(new Error(message), {
        data: { error: message, code: 'too_many_connections' },
      });
      return next(err);
    }
    open.set(address, n + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      socket.conn.off('close', release);
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    };
    socket.once('disconnect', release);
    socket.conn.once('close', release);
    next();
  };

  return { middleware, count: (address) => open.get(address) ?? 0 };
}
