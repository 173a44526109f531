/**
 * The SSH tunnel behind `mux1 tunnel` and `--via`: a local listener on 127.0.0.1 whose every
 * connection rides its own direct-tcpip channel over one ssh2 connection, with ssh's host key
 * checking, ssh-agent / key file login, keepalives and reconnection.
 *
 *   const tunnel = await openTunnel({ target: 'alice@chat.example.com', prompt, onStatus });
 *   // tunnel.url === 'http://127.0.0.1:54321': use it as the server URL
 *   await tunnel.close();
 *
 * openTunnel(options: TunnelOptions): Promise<Tunnel>   rejects with TunnelError (see errors.ts)
 * Tunnel { url, localPort, sshHost, remote, hostKeyFingerprint, closed, close() }
 * formatStatus(event: TunnelStatus): string              one line per status event
 */
export { openTunnel, type Tunnel, type TunnelOptions, type TunnelPrompt } from './tunnel.js';
export { TunnelError, isTunnelError, type TunnelErrorCode } from './errors.js';
export { formatStatus, type TunnelStatus } from './status.js';
export type { UnknownHost } from './host-key-guard.js';
export type { BackoffOptions } from './backoff.js';
export { parseTarget, type TargetSpec } from './target.js';
