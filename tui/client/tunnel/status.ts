import type { TunnelError } from './errors.js';

/**
 * What a tunnel reports while it runs. The command prints `formatStatus(event)`, one line each;
 * `--json` users and tests can read the fields.
 */
export type TunnelStatus =
  | { type: 'connected'; sshHost: string; fingerprint: string }
  | { type: 'host_key_added'; host: string; fingerprint: string; file: string }
  | { type: 'warning'; message: string }
  | { type: 'link_lost'; reason: string }
  | { type: 'reconnecting'; attempt: number; delayMs: number; lastError?: string }
  | { type: 'reconnected'; attempt: number; downtimeMs: number }
  | { type: 'forward_failed'; remote: string; reason: string }
  | { type: 'failed'; error: TunnelError }
  | { type: 'closed' };

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;

export function formatStatus(event: TunnelStatus): string {
  switch (event.type) {
    case 'connected':
      return `connected to ${event.sshHost} (host key ${event.fingerprint})`;
    case 'host_key_added':
      return `added ${event.host} to ${event.file} (host key ${event.fingerprint})`;
    case 'warning':
      return `warning: ${event.message}`;
    case 'link_lost':
      return `link lost: ${event.reason}; the local port stays open while reconnecting`;
    case 'reconnecting':
      return (
        `reconnecting in ${seconds(event.delayMs)} (attempt ${event.attempt})` +
        (event.lastError ? `; last attempt: ${event.lastError}` : '')
      );
    case 'reconnected':
      return `reconnected after ${seconds(event.downtimeMs)}`;
    case 'forward_failed':
      return `cannot reach ${event.remote} from the SSH host: ${event.reason}`;
    case 'failed':
      return `tunnel closed: ${event.error.message}`;
    case 'closed':
      return 'tunnel closed';
  }
}
