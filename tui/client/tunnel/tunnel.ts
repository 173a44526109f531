import { planAuthentication } from './auth.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { TunnelError } from './errors.js';
import { forwardConnection, probeRemote } from './forward.js';
import { HostKeyGuard, type UnknownHost } from './host-key-guard.js';
import { checkIdentityFile } from './identity.js';
import { listenLocal } from './local-listener.js';
import { resolveTarget, type ResolvedTarget } from './resolve-target.js';
import { connectSsh } from './ssh-connection.js';
import { SshLink } from './ssh-link.js';
import type { ParsedKey, SshClient } from './ssh2.js';
import type { TunnelStatus } from './status.js';

/** Questions for the user; leave one out where there is no terminal, and the answer is "no". */
export interface TunnelPrompt {
  /** The passphrase of an encrypted key file; '' skips the key. */
  passphrase?(file: string): Promise<string>;
  /** Whether to trust (and record) a host seen for the first time. */
  confirmHost?(host: UnknownHost): Promise<boolean>;
}

export interface TunnelOptions {
  /** `user@host`, `host`, `user@host:port`, or a Host alias from ~/.ssh/config. */
  target: string;
  /** SSH port; default: the target's `:port`, else the config's Port, else 22. */
  sshPort?: number;
  /** Local port on 127.0.0.1; 0 or absent picks a free one. */
  localPort?: number;
  /** Where the server listens, as seen from the SSH host. Default 127.0.0.1. */
  remoteHost?: string;
  /** Default 5000. */
  remotePort?: number;
  /** A private key file, tried after the agent and before the config's and the default keys. */
  identity?: string;
  /** Default: the config's UserKnownHostsFile, else ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** Read-only host key files; default /etc/ssh/ssh_known_hosts. */
  globalKnownHostsFiles?: string[];
  /** Trust and record an unknown host's key (ssh's StrictHostKeyChecking=accept-new). */
  acceptNew?: boolean;
  /** Default ~/.ssh/config; when given, it must exist. */
  sshConfigFile?: string;
  /** Read after sshConfigFile, as ssh does; default /etc/ssh/ssh_config, skipped when missing. */
  systemSshConfigFile?: string;
  /** HOME, USER, SSH_AUTH_SOCK come from here; default process.env. */
  env?: Record<string, string | undefined>;
  prompt?: TunnelPrompt;
  onStatus?: (event: TunnelStatus) => void;
  /** Keepalive period; the link counts as dead after keepaliveCountMax unanswered. Default 15s x 3. */
  keepaliveMs?: number;
  keepaliveCountMax?: number;
  /** Handshake + login time limit, not counting prompts. Default 20s. */
  connectTimeoutMs?: number;
  reconnect?: Partial<BackoffOptions>;
}

export interface Tunnel {
  /** `http://127.0.0.1:PORT`: give it to the client as its server URL. */
  readonly url: string;
  readonly localPort: number;
  /** `user@host:port` of the SSH connection. */
  readonly sshHost: string;
  /** `host:port` the tunnel reaches, as seen from the SSH host. */
  readonly remote: string;
  /** `SHA256:...` of the verified host key. */
  readonly hostKeyFingerprint: string;
  /** Resolves once the tunnel is closed: undefined after close(), the error when it gave up. */
  readonly closed: Promise<TunnelError | undefined>;
  /** Stops listening, cuts forwarded connections, ends the SSH connection. Idempotent. */
  close(): Promise<void>;
}

const GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts'];

/**
 * Opens an SSH local forward, like `ssh -N -L PORT:remoteHost:remotePort target`, and resolves once
 * the first SSH connection is verified and logged in. Rejects with a TunnelError otherwise; the
 * first connection is not retried, so a wrong host or key is reported at once.
 */
export async function openTunnel(options: TunnelOptions): Promise<Tunnel> {
  const onStatus = options.onStatus ?? (() => {});
  const remoteHost = options.remoteHost ?? '127.0.0.1';
  const remotePort = options.remotePort ?? 5000;
  const remote = `${remoteHost.includes(':') ? `[${remoteHost}]` : remoteHost}:${remotePort}`;
  const target = resolveTarget({ ...options, env: options.env ?? process.env });
  for (const file of target.identityFiles) if (file.explicit) checkIdentityFile(file.path);

  const hostKeys = new HostKeyGuard({
    host: target.host,
    port: target.port,
    knownHostsFile: target.knownHostsFile,
    globalKnownHostsFiles: options.globalKnownHostsFiles ?? GLOBAL_KNOWN_HOSTS,
    acceptNew: options.acceptNew ?? false,
    hashKnownHosts: target.hashKnownHosts,
    confirmHost: options.prompt?.confirmHost?.bind(options.prompt),
  });
  // Unlocked keys live as long as the tunnel, so a reconnection never asks for a passphrase again.
  const keyCache = new Map<string, ParsedKey>();
  const link = new SshLink({
    label: target.label,
    backoff: { ...DEFAULT_BACKOFF, ...options.reconnect },
    onStatus,
    connect: (signal) => connectOnce(target, hostKeys, options, onStatus, keyCache, signal),
  });

  // Say it once until a channel opens again, not once per browser retry.
  let refusedReported = false;
  const reportRefused = (reason: string) => {
    if (!refusedReported) onStatus({ type: 'forward_failed', remote, reason });
    refusedReported = true;
  };
  const listener = await listenLocal(options.localPort ?? 0, (socket) =>
    forwardConnection(socket, {
      link,
      remoteHost,
      remotePort,
      onRefused: reportRefused,
      onOpened: () => (refusedReported = false),
    }),
  );

  try {
    await link.start();
  } catch (err) {
    await listener.close();
    throw err;
  }
  onStatus({ type: 'connected', sshHost: target.label, fingerprint: hostKeys.fingerprint! });
  void probeRemote(link, remoteHost, remotePort).then((reason) => reason && reportRefused(reason));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await Promise.all([link.close(), listener.close()]);
      onStatus({ type: 'closed' });
    })());
  // A link that gave up takes the listener with it: a port that forwards nowhere helps no one.
  void link.finished.then((error) => error && listener.close());

  return {
    url: `http://127.0.0.1:${listener.port}`,
    localPort: listener.port,
    sshHost: target.label,
    remote,
    hostKeyFingerprint: hostKeys.fingerprint!,
    closed: link.finished,
    close,
  };
}

/** One SSH connection with this tunnel's host key policy and keys, reporting what it learned. */
async function connectOnce(
  target: ResolvedTarget,
  hostKeys: HostKeyGuard,
  options: TunnelOptions,
  onStatus: (event: TunnelStatus) => void,
  keyCache: Map<string, ParsedKey>,
  signal: AbortSignal,
): Promise<SshClient> {
  const client = await connectSsh({
    host: target.host,
    port: target.port,
    username: target.user,
    label: target.label,
    hostKeys,
    auth: (whileAsking) =>
      planAuthentication({
        username: target.user,
        agentSocket: target.agentSocket,
        identityFiles: target.identityFiles,
        home: target.home,
        passphrases: { ask: options.prompt?.passphrase?.bind(options.prompt), whileAsking, cache: keyCache },
      }),
    connectTimeoutMs: options.connectTimeoutMs ?? 20_000,
    keepaliveMs: options.keepaliveMs ?? 15_000,
    keepaliveCountMax: options.keepaliveCountMax ?? 3,
    signal,
  });
  const commit = hostKeys.commit();
  if (commit.added) {
    onStatus({
      type: 'host_key_added',
      host: commit.host,
      fingerprint: commit.fingerprint,
      file: commit.file,
    });
  } else if (commit.writeError) {
    onStatus({ type: 'warning', message: `could not add the host key to known_hosts: ${commit.writeError}` });
  }
  return client;
}
