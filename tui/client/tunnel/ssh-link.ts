import { backoffDelay, type BackoffOptions } from './backoff.js';
import { isFatalTunnelError, TunnelError } from './errors.js';
import type { SshClient } from './ssh2.js';
import type { TunnelStatus } from './status.js';

export interface SshLinkOptions {
  /** Opens one logged-in connection; rejects with a TunnelError, and at once when `signal` aborts. */
  connect: (signal: AbortSignal) => Promise<SshClient>;
  label: string;
  backoff: BackoffOptions;
  onStatus: (event: TunnelStatus) => void;
}

type Ssh2Error = Error & { level?: string; code?: string };

/**
 * Keeps one SSH connection up. When it drops, whether the host closed it, the socket broke or
 * keepalives went unanswered, it reconnects with backoff; callers asking for the connection
 * meanwhile wait. It gives up only on a failure retrying cannot fix (host key, login) or after
 * `backoff.maxAttempts`; `finished` then resolves with that error.
 */
export class SshLink {
  private client: SshClient | undefined;
  private state: 'starting' | 'up' | 'down' | 'closed' = 'starting';
  private waiters: { resolve: (client: SshClient) => void; reject: (err: TunnelError) => void }[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  /** Aborts a connection attempt under way when the link is closed. */
  private readonly aborter = new AbortController();
  private failure: TunnelError | undefined;
  private endFinished!: (error: TunnelError | undefined) => void;
  /** Resolves when the link is closed for good: undefined after close(), the error after giving up. */
  readonly finished = new Promise<TunnelError | undefined>((resolve) => (this.endFinished = resolve));

  constructor(private readonly options: SshLinkOptions) {}

  /** The first connection: its failure is the caller's to report, so it is not retried. */
  async start(): Promise<void> {
    const client = await this.options.connect(this.aborter.signal);
    if (this.state === 'closed') {
      client.end();
      throw this.closedError();
    }
    this.adopt(client);
  }

  /** The live connection, waiting through a reconnection if one is under way. */
  acquire(): Promise<SshClient> {
    if (this.state === 'up' && this.client) return Promise.resolve(this.client);
    if (this.state === 'closed') return Promise.reject(this.failure ?? this.closedError());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.settle(undefined);
    const client = this.client;
    this.client = undefined;
    if (client) await endClient(client);
  }

  private adopt(client: SshClient): void {
    this.client = client;
    this.state = 'up';
    let reason: string | undefined;
    client.on('error', (err: Ssh2Error) => (reason ??= describeLoss(err)));
    client.once('close', () => this.lost(client, reason ?? 'the host closed the connection'));
    for (const waiter of this.waiters.splice(0)) waiter.resolve(client);
  }

  private lost(client: SshClient, reason: string): void {
    if (this.client !== client || this.state === 'closed') return;
    this.client = undefined;
    this.state = 'down';
    this.options.onStatus({ type: 'link_lost', reason });
    this.retry(1, Date.now());
  }

  private retry(attempt: number, downSince: number, lastError?: TunnelError): void {
    if (this.state === 'closed') return;
    if (attempt > this.options.backoff.maxAttempts) {
      const why = lastError ? `: ${lastError.message}` : '';
      this.settle(
        new TunnelError(
          'unreachable',
          `gave up reconnecting to ${this.options.label} after ${attempt - 1} attempts${why}`,
        ),
      );
      return;
    }
    const delayMs = backoffDelay(attempt, this.options.backoff);
    this.options.onStatus({ type: 'reconnecting', attempt, delayMs, lastError: lastError?.message });
    this.retryTimer = setTimeout(() => {
      this.options.connect(this.aborter.signal).then(
        (client) => {
          if (this.state === 'closed') return void client.end();
          this.adopt(client);
          this.options.onStatus({ type: 'reconnected', attempt, downtimeMs: Date.now() - downSince });
        },
        (err: unknown) => {
          if (this.state === 'closed') return;
          const error = err instanceof TunnelError ? err : new TunnelError('unreachable', String(err));
          if (isFatalTunnelError(error)) this.settle(error);
          else this.retry(attempt + 1, downSince, error);
        },
      );
    }, delayMs);
  }

  /** Closes for good; `error` is why, or undefined for an orderly close(). */
  private settle(error: TunnelError | undefined): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.failure = error;
    clearTimeout(this.retryTimer);
    this.aborter.abort();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error ?? this.closedError());
    if (error) {
      this.client?.end();
      this.options.onStatus({ type: 'failed', error });
    }
    this.endFinished(error);
  }

  private closedError(): TunnelError {
    return new TunnelError('closed', `the tunnel to ${this.options.label} is closed`);
  }
}

function describeLoss(err: Ssh2Error): string {
  if (err.level === 'client-timeout') return 'no answer to keepalives; the network or the host went away';
  if (err.code === 'ECONNRESET') return 'the connection was reset';
  return err.message;
}

/** Ends politely, and resolves once the socket is really gone. */
function endClient(client: SshClient): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, 1000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
