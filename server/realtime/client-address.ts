import type { IncomingHttpHeaders } from 'node:http';

/**
 * The address the per-address limits count, chosen as the HTTP side chooses it (Koa with
 * `proxy` and `maxIpsCount: 1`): with TRUST_PROXY on, the last X-Forwarded-For entry - the one
 * the trusted proxy added; earlier entries are whatever the client sent - else the peer.
 */
export function clientAddress(
  handshake: { address: string; headers: IncomingHttpHeaders },
  trustProxy: boolean,
): string {
  let ip = handshake.address ?? '';
  if (trustProxy) {
    const header = handshake.headers['x-forwarded-for'];
    const last = (Array.isArray(header) ? header.join(',') : header)?.split(',').at(-1)?.trim();
    if (last) ip = last;
  }
  return ip.replace(/^::ffff:/, '').slice(0, 64);
}
