import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { makeKeyPair, type KeyPair } from './ssh-keys.js';

export interface SshLogin {
  user: string;
  /** The authorized key that got in, as its authorized_keys line. */
  publicKey: string;
}

export interface TestSshServer {
  port: number;
  hostKey: KeyPair;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA...`: the line ssh writes for this server. */
  knownHostsLine: string;
  /** Every successful login, in order. */
  logins: SshLogin[];
  /** direct-tcpip channels opened, one per forwarded connection. */
  forwards: number;
  /** SSH connections currently open. */
  openConnections(): number;
  close(): Promise<void>;
}

/**
 * A real SSH server (ssh2's protocol implementation) on a loopback port: public-key login for
 * the given keys, and `direct-tcpip` forwarding that connects to the requested host and port,
 * which is what sshd does for `ssh -L`.
 */
export async function startSshServer(
  options: {
    authorizedKeys: KeyPair[];
    hostKey?: KeyPair;
    forbidForwarding?: boolean;
    /** Names only this host resolves, like its /etc/hosts: a server reachable through it alone. */
    hosts?: Record<string, string>;
  } = {
    authorizedKeys: [],
  },
): Promise<TestSshServer> {
  const hostKey = options.hostKey ?? makeKeyPair({ comment: 'test-host' });
  const authorized = options.authorizedKeys.map((pair) => {
    const parsed = ssh2.utils.parseKey(pair.publicKey);
    if (parsed instanceof Error) throw parsed;
    return { pair, parsed };
  });
  const logins: SshLogin[] = [];
  const clients = new Set<ssh2.Connection>();
  const state = { forwards: 0 };

  const server = new ssh2.Server({ hostKeys: [hostKey.privateKey] }, (client) => {
    clients.add(client);
    // As the tunnel's own end does: no Nagle delay on small channel packets. ssh2 has this method
    // on server connections too; its type definitions only list it for the client.
    (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {}); // a client that vanishes is part of the tests
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const match = authorized.find(({ parsed }) => parsed.getPublicSSH().equals(ctx.key.data));
      if (!match) return ctx.reject(['publickey']);
      // Without a signature this is the "would you take this key?" query; the signed retry proves it.
      if (!ctx.signature) return ctx.accept();
      if (match.parsed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true)
        return ctx.reject(['publickey']);
      logins.push({ user: ctx.username, publicKey: match.pair.publicKey });
      ctx.accept();
    });
    client.on('tcpip', (accept, reject, info) => {
      if (options.forbidForwarding) return reject();
      const upstream: Socket = connect(info.destPort, options.hosts?.[info.destIP] ?? info.destIP);
      upstream.once('error', () => reject());
      upstream.once('connect', () => {
        state.forwards++;
        upstream.removeAllListeners('error');
        const channel = accept();
        upstream.on('error', () => channel.close());
        channel.on('error', () => upstream.destroy());
        channel.once('close', () => upstream.destroy());
        upstream.pipe(channel).pipe(upstream);
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hostKey,
    knownHostsLine: `[127.0.0.1]:${port} ssh-ed25519 ${hostKey.blob.toString('base64')}`,
    logins,
    get forwards() {
      return state.forwards;
    },
    openConnections: () => clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end();
        server.close(() => resolve());
      }),
  };
}
