import type { Socket } from 'node:net';
import type { SshLink } from './ssh-link.js';
import type { ClientChannel } from './ssh2.js';

export interface ForwardTarget {
  link: SshLink;
  remoteHost: string;
  remotePort: number;
  /** The host could not open the channel: nothing listens there, or forwarding is forbidden. */
  onRefused(reason: string): void;
  onOpened(): void;
}

/**
 * Carries one local TCP connection over its own direct-tcpip channel of the shared SSH
 * connection (what `ssh -L` does). A connection made while the link is down waits for it.
 */
export function forwardConnection(socket: Socket, target: ForwardTarget): void {
  socket.setNoDelay(true); // request/response traffic: latency matters more than packet count
  socket.on('error', () => socket.destroy());
  target.link.acquire().then(
    (client) => {
      if (socket.destroyed) return;
      try {
        client.forwardOut(
          socket.remoteAddress ?? '127.0.0.1',
          socket.remotePort ?? 0,
          target.remoteHost,
          target.remotePort,
          (err, channel) => {
            if (err) {
              target.onRefused(err.message);
              socket.destroy();
              return;
            }
            target.onOpened();
            join(socket, channel);
          },
        );
      } catch {
        socket.destroy(); // the link died between acquire() and now; the client retries
      }
    },
    () => socket.destroy(),
  );
}

function join(socket: Socket, channel: ClientChannel): void {
  if (socket.destroyed) {
    channel.close();
    return;
  }
  channel.on('error', () => socket.destroy());
  // end(), not destroy(): the last bytes of a response may still sit in the socket's buffer.
  channel.once('close', () => socket.end(() => socket.destroy()));
  socket.once('close', () => channel.close());
  socket.pipe(channel);
  channel.pipe(socket);
  socket.resume();
}

/**
 * Opens and drops one channel right after connecting, so that "nothing listens on the remote
 * port" shows up at once instead of as a puzzling failure in the first request. Resolves with
 * the reason when the host refused, undefined when the server answered.
 */
export async function probeRemote(
  link: SshLink,
  remoteHost: string,
  remotePort: number,
): Promise<string | undefined> {
  try {
    const client = await link.acquire();
    return await new Promise((resolve) => {
      client.forwardOut('127.0.0.1', 0, remoteHost, remotePort, (err, channel) => {
        if (err) return resolve(err.message);
        channel.close();
        resolve(undefined);
      });
    });
  } catch {
    return undefined; // the link went away meanwhile; its own status says so
  }
}
