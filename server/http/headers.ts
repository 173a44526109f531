import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** A list of headers with and without HSTS, both worked out once rather than on every answer. */
export interface HeaderSet {
  overTls: HeaderList;
  plain: HeaderList;
}

const headerSet = (list: HeaderList): HeaderSet => ({
  overTls: list,
  plain: list.filter(([name]) => name.toLowerCase() !== 'strict-transport-security'),
});

/**
 * The headers helmet would set, worked out once. With static options helmet's answer is the
 * same for every response, so running its chain of a dozen middlewares per request only costs
 * time on every request; helmet stays the source of which headers and values are right.
 */
export function helmetHeaders(options: HelmetOptions): HeaderList {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure;
  return [...headers];
}

/**
 * The page (its HTML, script and style): helmet's whole set, with a strict CSP - scripts,
 * styles and connections from this origin only, nothing inline - no framing, and no referrer
 * leaking to other sites.
 */
export const PAGE_HEADERS: HeaderSet = headerSet(
  helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  }),
);

/**
 * Every other answer - the API, errors, unknown paths, Socket.IO's own - is never a document,
 * so it gets the headers OWASP lists for APIs: never stored by a cache, a CSP that allows
 * nothing and no framing, nosniff, no referrer, same-origin resource policy and HSTS. The
 * document-only headers (opener policy, agent cluster, DNS prefetch, download options, Flash
 * policies, XSS auditor) would only lengthen each of the many small answers.
 */
export const API_HEADERS: HeaderSet = headerSet([
  ['Cache-Control', 'no-store'],
  ...helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  }),
]);

/**
 * HSTS only on an answer that went out over TLS - the server's own (TLS_CERT) or, as a proxy in
 * front says with X-Forwarded-Proto, the proxy's. Browsers ignore it over plain HTTP anyway, so a
 * forged header gains nothing.
 */
function overTls(res: ServerResponse): boolean {
  const req = res.req as IncomingMessage | undefined;
  return (
    (req?.socket as { encrypted?: boolean } | undefined)?.encrypted === true ||
    req?.headers['x-forwarded-proto'] === 'https'
  );
}

export function setHeaders(res: ServerResponse, headers: HeaderSet): void {
  const list = overTls(res) ? headers.overTls : headers.plain;
  // An indexed loop: every answer passes here, and destructuring each entry allocated.
  for (let i = 0; i < list.length; i++) res.setHeader(list[i]![0], list[i]![1]);
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Sets the API headers on every response under `path` before any listener answers it:
 * Socket.IO handles its own path (the polling transport, the browser client script) before the
 * request reaches Koa. Call it after Socket.IO attached, which replaced the other listeners:
 * this one goes in front of all of them.
 */
export function hardenRawResponses(http: Server, path: string): void {
  const listeners = http.listeners('request') as RequestListener[];
  const prefix = path + '/';
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith(prefix)) setHeaders(res, API_HEADERS);
    for (const listener of listeners) listener.call(http, req, res);
  });
}
