import type { AuthPlan } from './auth.js';
import { Deadline } from './deadline.js';
import { TunnelError } from './errors.js';
import type { HostKeyGuard } from './host-key-guard.js';
import { Client, type SshClient } from './ssh2.js';

export interface SshConnectOptions {
  host: string;
  port: number;
  username: string;
  /** `user@host:port`, for messages. */
  label: string;
  hostKeys: HostKeyGuard;
  /** Builds this connection's login; `whileAsking` pauses the connect timeout during a prompt. */
  auth: (whileAsking: <T>(question: Promise<T>) => Promise<T>) => AuthPlan;
  /** Handshake and login must finish within this, not counting time spent waiting for the user. */
  connectTimeoutMs: number;
  keepaliveMs: number;
  keepaliveCountMax: number;
  /** Abandons the attempt (the tunnel is closing). */
  signal?: AbortSignal;
}

type Ssh2Error = Error & { level?: string; code?: string };

/**
 * One SSH connection, up to a logged-in client. Resolves only after the host key was verified
 * and the host proved it holds it; rejects with a TunnelError saying what went wrong.
 */
export function connectSsh(options: SshConnectOptions): Promise<SshClient> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let hostKeyError: TunnelError | undefined;

    const fail = (err: TunnelError) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      options.signal?.removeEventListener('abort', onAbort);
      client.destroy();
      reject(err);
    };
    const deadline = new Deadline(options.connectTimeoutMs, () =>
      fail(
        new TunnelError(
          'timeout',
          `no SSH answer from ${options.label} within ${options.connectTimeoutMs / 1000}s; is the host up and the port right?`,
        ),
      ),
    );

    const auth = options.auth(deadline.whileAsking);
    const onAbort = () =>
      fail(new TunnelError('closed', `connection to ${options.label} abandoned: the tunnel is closing`));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    client.on('error', (err: Ssh2Error) => {
      if (err.level === 'agent') return auth.noteAgentError(err.message);
      fail(hostKeyError ?? classify(err, options, auth));
    });
    client.on('close', () =>
      fail(
        hostKeyError ??
          new TunnelError('unreachable', `${options.label} closed the SSH connection before login`),
      ),
    );
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      deadline.clear();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(client);
    });

    try {
      client.connect({
        host: options.host,
        port: options.port,
        username: options.username,
        readyTimeout: 0, // the Deadline above replaces it, because it can pause for prompts
        keepaliveInterval: options.keepaliveMs,
        keepaliveCountMax: options.keepaliveCountMax,
        algorithms: { serverHostKey: options.hostKeys.algorithms() },
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
          options.hostKeys.check(key, deadline.whileAsking).then(
            () => verify(true),
            (err: unknown) => {
              hostKeyError =
                err instanceof TunnelError ? err : new TunnelError('handshake_failed', String(err));
              verify(false);
            },
          );
        },
        authHandler: auth.handler,
      });
      // Without this, Nagle holds back the small packets of each new channel (open, data, EOF,
      // close) waiting on the peer's delayed ACK: about 40 ms more per forwarded connection.
      client.setNoDelay(true);
      deadline.start();
    } catch (err) {
      // e.g. known_hosts became unreadable: that error already says what to fix
      if (err instanceof TunnelError) return fail(err);
      fail(
        new TunnelError(
          'handshake_failed',
          `cannot start SSH to ${options.label}: ${(err as Error).message}`,
        ),
      );
    }
  });
}

/** ssh2 tags errors with a level; turn them into something a user can act on. */
function classify(err: Ssh2Error, options: SshConnectOptions, auth: AuthPlan): TunnelError {
  const { label, host, port, username } = options;
  if (err.level === 'client-authentication' || /too many authentication failures/i.test(err.message)) {
    const tooMany = /too many/i.test(err.message)
      ? ' (the host stopped after too many keys; set IdentitiesOnly yes for it in ~/.ssh/config)'
      : '';
    return new TunnelError(
      'auth_failed',
      `SSH login as ${username} to ${label} was refused${tooMany}; ${auth.describe()}. ` +
        `Add your public key to ~/.ssh/authorized_keys on the host, or pass --identity FILE`,
    );
  }
  if (err.level === 'client-timeout') {
    return new TunnelError('timeout', `no SSH answer from ${label} in time (${err.message})`);
  }
  if (err.level === 'client-socket') {
    switch (err.code) {
      case 'ECONNREFUSED':
        return new TunnelError(
          'unreachable',
          `nothing accepts SSH connections at ${host} port ${port} (connection refused)`,
        );
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new TunnelError('unreachable', `cannot resolve the host name ${host}`);
      case 'ETIMEDOUT':
        return new TunnelError('timeout', `connecting to ${host} port ${port} timed out`);
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return new TunnelError('unreachable', `${host} is unreachable from here (${err.code})`);
      default:
        return new TunnelError(
          'unreachable',
          `the connection to ${label} failed: ${err.code ?? err.message}`,
        );
    }
  }
  if (/before handshake|identification/i.test(err.message)) {
    return new TunnelError(
      'handshake_failed',
      `${host} port ${port} does not speak SSH (${err.message}); is the port right?`,
    );
  }
  return new TunnelError('handshake_failed', `SSH handshake with ${label} failed: ${err.message}`);
}
