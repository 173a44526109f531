import { execFile } from 'node:child_process';

export interface CurlResult {
  status: number;
  /** The parsed JSON body, or undefined when the answer had none. */
  body: any;
  raw: string;
}

/**
 * One request through the real `curl` binary, the way the README shows it. The status code is
 * appended after the body by `--write-out`, so no headers need parsing.
 */
export function curl(args: string[]): Promise<CurlResult> {
  const marker = '\n--mux1-status:';
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['--silent', '--show-error', '--max-time', '20', '--write-out', `${marker}%{http_code}`, ...args],
      { encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
          return reject(
            new Error(
              missing ? 'curl is not installed (.ci/run installs it)' : `curl failed: ${stderr || err}`,
            ),
          );
        }
        const at = stdout.lastIndexOf(marker);
        const raw = stdout.slice(0, at);
        const status = Number(stdout.slice(at + marker.length));
        let body: unknown;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          body = raw;
        }
        resolve({ status, body, raw });
      },
    );
  });
}

/** `curl -X METHOD URL -H 'Content-Type: application/json' -d JSON`, as in the README. */
export const curlJson = (method: string, url: string, body?: unknown, headers: string[] = []) =>
  curl([
    '-X',
    method,
    url,
    ...headers.flatMap((h) => ['-H', h]),
    ...(body === undefined ? [] : ['-H', 'Content-Type: application/json', '-d', JSON.stringify(body)]),
  ]);
