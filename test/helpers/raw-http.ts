import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * A request with full control over headers and framing (fetch always adds its own), e.g. a
 * chunked body with no Content-Length, or a body whose declared type is not JSON.
 */
export function rawRequest(
  base: string,
  options: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    chunks?: (string | Buffer)[];
    /** False leaves the body unfinished, as a client still uploading does; the answer must come anyway. */
    end?: boolean;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      base + options.path,
      // A fresh connection each time: one left mid-body must not be reused by the next request.
      { method: options.method, headers: options.headers, agent: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text so the assertion shows it
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          req.destroy();
        });
      },
    );
    // The server may answer (413) and close before the whole body is written.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? undefined : reject(err)));
    for (const chunk of options.chunks ?? []) req.write(chunk);
    if (options.end === false) req.flushHeaders();
    else req.end();
  });
}
