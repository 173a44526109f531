import type { IncomingHttpHeaders } from 'node:http';

/**
 * The address the per-address limits count, chosen as the HTTP side chooses it (Koa with
 * `proxy`): the first X-Forwarded-For entry only when TRUST_PROXY is on, else the peer.
 */
export function clientAddress(
  handshake: { address: string; headers: IncomingHttpHeaders },
  trustProxy: boolean,
): string {
  let ip = handshake.address ?? '';
  if (trustProxy) {
    const header = handshake.headers['x-forwarded-for'];
    const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
    if (first) ip = first;
  }
  return ip.replace(/^::ffff:/, '').slice(0, 64);
}
