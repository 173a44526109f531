/**
 * One spelling per server, so `--server http://LOCALHOST:5000/` and `http://localhost:5000` share
 * a credential file and build the same request URLs. A path is kept: a server may live under a
 * prefix behind a reverse proxy.
 */
export function normalizeServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Error(`"${input}" is not a URL; expected something like http://localhost:5000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`"${input}" must start with http:// or https://`);
  }
  if (url.username || url.password) {
    throw new Error('the server URL must not carry a user name or password');
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}
