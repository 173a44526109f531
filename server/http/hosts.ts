import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '../protocol.js';
import { API_HEADERS, setHeaders } from './headers.js';

/*
 * DNS rebinding: a page on a name the attacker controls (evil.example) first resolves to the
 * attacker's server, then to this one, and the browser lets the page call it as its own origin -
 * from inside the victim's machine or network, past the loopback bind and CORS alike. The one
 * thing such a request cannot hide is its Host header, which still names evil.example.
 */

/** The host part of a Host header (or a URL's host), lower case, without port or final dot. */
function hostName(value: string): string {
  let name = value.trim().toLowerCase();
  if (name.startsWith('[')) name = name.slice(1, name.indexOf(']') > 0 ? name.indexOf(']') : undefined);
  else if (name.lastIndexOf(':') > 0 && name.indexOf(':') === name.lastIndexOf(':'))
    name = name.slice(0, name.lastIndexOf(':'));
  return name.replace(/\.$/, '');
}

/**
 * Whether a request naming `host` is for this server: the host of PUBLIC_URL, the address it
 * listens on, `localhost`, any IP address (a page served from an IP address is that address's
 * origin: rebinding needs a name), and ALLOWED_HOSTS (`*`: any). No Host header at all is not a
 * browser's request, and passes.
 */
export function hostPolicy(options: {
  publicUrl: () => string | undefined;
  bindHost: string;
  allowed: string[];
}): (host: string | undefined) => boolean {
  if (options.allowed.includes('*')) return () => true;
  const fixed = new Set(['localhost', hostName(options.bindHost), ...options.allowed.map(hostName)]);
  const publicHost = (url: string | undefined) => {
    try {
      return url ? hostName(new URL(url).host) : undefined;
    } catch {
      return undefined;
    }
  };
  // Every request asks, and nearly all name the same host or two: Host headers already let in
  // are remembered as given, while the public URL stays the same. Only admissions are kept, and
  // only a few, so varied Host headers cannot grow it; the rest are judged each time.
  const admitted = new Set<string>();
  let admittedFor: string | undefined;
  return (host) => {
    if (host === undefined) return true;
    const url = options.publicUrl();
    if (url !== admittedFor) {
      admitted.clear();
      admittedFor = url;
    }
    if (admitted.has(host)) return true;
    const name = hostName(host);
    const allows = isIP(name) !== 0 || fixed.has(name) || name === publicHost(url);
    if (allows && admitted.size < ADMITTED_HOSTS_KEPT) admitted.add(host);
    return allows;
  };
}

const ADMITTED_HOSTS_KEPT = 32;

const REFUSAL: ErrorBody = {
  error: 'this server does not answer for that host name; use its own address',
  code: 'misdirected_request',
};

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Answers 421 `misdirected_request` to every request and WebSocket upgrade whose Host the policy
 * refuses, before any route or Socket.IO sees it. Call it once every other listener is attached:
 * it wraps them all.
 */
export function guardHosts(http: Server, allows: (host: string | undefined) => boolean): void {
  const requests = http.listeners('request') as RequestListener[];
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!allows(req.headers.host)) {
      setHeaders(res, API_HEADERS);
      res.writeHead(421, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
      res.end(JSON.stringify(REFUSAL));
      return;
    }
    for (const listener of requests) listener.call(http, req, res);
  });
  const upgrades = http.listeners('upgrade') as UpgradeListener[];
  http.removeAllListeners('upgrade');
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!allows(req.headers.host)) {
      const body = JSON.stringify(REFUSAL);
      socket.end(
        `HTTP/1.1 421 Misdirected Request\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    for (const listener of upgrades) listener.call(http, req, socket, head);
  });
}
