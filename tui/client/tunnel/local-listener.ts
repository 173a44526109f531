import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TunnelError } from './errors.js';

export interface LocalListener {
  port: number;
  /** Stops accepting, cuts the connections still open, resolves when the port is free. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 only: the tunnel carries the user's access to a remote server, and other
 * machines on the network must not borrow it. Connections arrive paused, so nothing is read before
 * there is somewhere to send it.
 */
export function listenLocal(port: number, onConnection: (socket: Socket) => void): Promise<LocalListener> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new TunnelError(
            'port_in_use',
            `local port ${port} is already in use; choose another --local-port or leave it out for a free one`,
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new TunnelError(
            'port_forbidden',
            `not allowed to listen on local port ${port}; use a port above 1023`,
          ),
        );
      } else {
        reject(new TunnelError('port_forbidden', `cannot listen on 127.0.0.1:${port}: ${err.message}`));
      }
    });
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
