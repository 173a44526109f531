import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP relay between the tunnel and its SSH server, so a test can break the link the ways a
 * network does: cut it (`drop`), go silent without closing it (`freeze`, what keepalives are for),
 * or refuse new connections for a while (`refuse`).
 */
export interface TcpProxy {
  port: number;
  /** Connections made through the proxy so far. */
  accepted(): number;
  drop(): void;
  freeze(): void;
  refuse(on: boolean): void;
  /** Sends new connections to another port, as if the host had been replaced. */
  retarget(port: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let accepted = 0;
  let refusing = false;
  let target = targetPort;
  const server = createServer((inbound) => {
    if (refusing) return inbound.destroy();
    accepted++;
    const outbound = connect(target, '127.0.0.1');
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const end = () => {
      inbound.destroy();
      outbound.destroy();
      pairs.delete(pair);
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    drop() {
      for (const [inbound, outbound] of pairs) {
        inbound.destroy();
        outbound.destroy();
      }
    },
    freeze() {
      for (const [inbound, outbound] of pairs) {
        inbound.unpipe();
        outbound.unpipe();
        inbound.pause();
        outbound.pause();
      }
    },
    refuse(on) {
      refusing = on;
    },
    retarget(port) {
      target = port;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [inbound, outbound] of pairs) {
          inbound.destroy();
          outbound.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
