import type { ChatSocket } from './types.js';

type Middleware = (socket: ChatSocket, next: (err?: Error) => void) => void;

/** A socket's transport (Engine.IO's socket), as far as this file needs it. */
type Transport = ChatSocket['conn'];

/**
 * At most `limit` sockets per client address, so one client cannot hold thousands of
 * connections. A slot is taken in the handshake and given back when the socket disconnects
 * or, if it never got that far, when its transport closes.
 *
 * The listeners are shared, not made per socket (an idle socket's memory is a figure,
 * bench/socket-memory.ts): a socket still in its handshake is kept by its transport until it
 * connects (`connected`, which the server calls first on every connection) or the transport
 * closes; a connected socket gives its slot back on `disconnect`.
 */
export function connectionLimit(limit: number): {
  middleware: Middleware;
  connected(socket: ChatSocket): void;
  count(address: string): number;
} {
  // Per address, its sockets, and the address string that all of them keep (socket.data.address):
  // one string per address rather than one per socket.
  const open = new Map<string, { address: string; sockets: number }>();
  const handshaking = new Map<Transport, Set<ChatSocket>>();

  const giveBack = (address: string) => {
    const slot = open.get(address);
    if (slot && --slot.sockets <= 0) open.delete(address);
  };
  function transportClosed(this: Transport): void {
    const sockets = handshaking.get(this);
    handshaking.delete(this);
    for (const socket of sockets ?? []) giveBack(socket.data.address);
  }
  function disconnected(this: ChatSocket): void {
    giveBack(this.data.address);
  }

  const middleware: Middleware = (socket, next) => {
    const address = socket.data.address;
    let slot = open.get(address);
    if (slot && slot.sockets >= limit) {
      const message = `too many connections from your address (at most ${limit})`;
      const err = Object.assign(new Error(message), {
        data: { error: message, code: 'too_many_connections' },
      });
      return next(err);
    }
    if (!slot) open.set(address, (slot = { address, sockets: 0 }));
    slot.sockets++;
    socket.data.address = slot.address;
    let sockets = handshaking.get(socket.conn);
    if (!sockets) {
      handshaking.set(socket.conn, (sockets = new Set()));
      socket.conn.on('close', transportClosed);
    }
    sockets.add(socket);
    next();
  };

  const connected = (socket: ChatSocket) => {
    const sockets = handshaking.get(socket.conn);
    if (!sockets?.delete(socket)) return;
    if (sockets.size === 0) {
      handshaking.delete(socket.conn);
      socket.conn.off('close', transportClosed);
    }
    socket.on('disconnect', disconnected);
  };

  return { middleware, connected, count: (address) => open.get(address)?.sockets ?? 0 };
}
