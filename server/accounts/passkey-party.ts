import type { AccountsDeps } from './index.js';

/*
 * Who this server is to a passkey: the WebAuthn relying party. The browser binds every passkey to
 * an RP id (a host name) and puts the page's origin in what the authenticator signs; the server
 * checks both, so a passkey made for this server is useless to a page anywhere else, and a
 * phishing page on another name gets nothing it can replay here.
 */

const LOOPBACK_IPS = ['127.0.0.1', '::1'];
const isLoopbackIp = (host: string) => LOOPBACK_IPS.includes(host) || host.startsWith('127.');

export interface RelyingParty {
  name: string;
  /** The host name passkeys are bound to. */
  rpId: string;
  /** The page origins a ceremony may come from. */
  origins: string[];
}

/**
 * The RP id is the host of PUBLIC_URL, and the one origin accepted is PUBLIC_URL's. Without it (a
 * server on a laptop), the address it listens on: WebAuthn takes no IP address as an RP id, so a
 * loopback address stands as `localhost` (a secure context in browsers even over http), and the
 * page must be opened at http://localhost:PORT. Any Host a request names would not do: a page on
 * another name could then have passkeys made or used for it here.
 */
export function relyingParty(deps: AccountsDeps): RelyingParty {
  const url = new URL(deps.config.publicUrl ?? deps.mail.publicUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (deps.config.publicUrl || !isLoopbackIp(host)) {
    return { name: 'mux1', rpId: host, origins: [url.origin] };
  }
  const local = new URL(url.href);
  local.hostname = 'localhost';
  return { name: 'mux1', rpId: 'localhost', origins: [local.origin] };
}
