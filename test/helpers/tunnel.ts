import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openTunnel,
  type Tunnel,
  type TunnelOptions,
  type TunnelStatus,
} from '../../tui/client/tunnel/index.js';
import { startTestServer, type TestServer } from './server.js';
import { makeKeyPair, writeKeyPair, type KeyPair } from './ssh-keys.js';
import { startSshServer, type TestSshServer } from './ssh-server.js';

export interface TunnelFixture {
  /** A fake HOME with its own ~/.ssh, so the user's real keys, config and agent stay out. */
  home: string;
  clientKey: KeyPair;
  clientKeyPath: string;
  knownHostsFile: string;
  ssh: TestSshServer;
  mux: TestServer;
  /** Options that connect: the key is authorized and the host already in known_hosts. */
  options(extra?: Partial<TunnelOptions>): TunnelOptions;
  /** Opens a tunnel that is closed in cleanup, recording its status events. */
  open(extra?: Partial<TunnelOptions>): Promise<{ tunnel: Tunnel; events: TunnelStatus[] }>;
  cleanup(): Promise<void>;
}

/** A mux1 server, an SSH server in front of it, a client key it accepts and a known_hosts that trusts it. */
export async function startTunnelFixture(
  options: { trustHost?: boolean; forbidForwarding?: boolean } = {},
): Promise<TunnelFixture> {
  const home = mkdtempSync(join(tmpdir(), 'mux1-tunnel-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  const clientKey = makeKeyPair({ comment: 'tester@mux1' });
  const clientKeyPath = writeKeyPair(join(home, '.ssh'), 'id_test', clientKey);
  const ssh = await startSshServer({
    authorizedKeys: [clientKey],
    forbidForwarding: options.forbidForwarding,
  });
  const mux = await startTestServer();
  const knownHostsFile = join(home, '.ssh', 'known_hosts');
  if (options.trustHost !== false) writeFileSync(knownHostsFile, ssh.knownHostsLine + '\n');
  const tunnels: Tunnel[] = [];

  const fixture: TunnelFixture = {
    home,
    clientKey,
    clientKeyPath,
    knownHostsFile,
    ssh,
    mux,
    options: (extra = {}) => ({
      target: 'tester@127.0.0.1',
      sshPort: ssh.port,
      remotePort: Number(new URL(mux.url).port),
      identity: clientKeyPath,
      knownHostsFile,
      globalKnownHostsFiles: [],
      // Not the machine's /etc/ssh/ssh_config: what the tests expect must not depend on it.
      systemSshConfigFile: join(home, 'system_ssh_config'),
      env: { HOME: home, USER: 'tester' },
      keepaliveMs: 200,
      keepaliveCountMax: 3,
      connectTimeoutMs: 5000,
      reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
      ...extra,
    }),
    async open(extra = {}) {
      const events: TunnelStatus[] = [];
      const tunnel = await openTunnel(
        fixture.options({
          ...extra,
          onStatus: (event) => {
            events.push(event);
            extra.onStatus?.(event);
          },
        }),
      );
      tunnels.push(tunnel);
      return { tunnel, events };
    },
    async cleanup() {
      await Promise.all(tunnels.map((t) => t.close()));
      await Promise.all([ssh.close(), mux.close()]);
      rmSync(home, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Fails the test with the tunnel's error code and message, or returns the error to inspect. */
export async function expectTunnelError(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string }> {
  let opened: unknown;
  try {
    opened = await promise;
  } catch (err) {
    return err as { code: string; message: string };
  }
  await (opened as Partial<Tunnel> | undefined)?.close?.();
  throw new Error('expected the tunnel to fail, but it opened');
}
