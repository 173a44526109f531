import type { TestProvider } from './oidc-provider.js';

/*
 * A provider sign-in without a browser, for server tests: the requests a browser makes, made with
 * fetch. The server's start (with its binding cookie), the test provider's own login and consent
 * pages (oidc-provider's devInteractions, submitted as their forms are), every redirect followed
 * by hand with the provider's cookies kept, and the callback on the server, which answers with
 * the page address that carries the ticket. The browser version is test/system/oidc-page.test.ts.
 */

/** The provider's cookies, as a browser keeps them for one site: by name (paths do not matter here). */
class ProviderCookies {
  readonly #values = new Map<string, string>();

  keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attributes.some((a) => {
        const [k = '', v = ''] = a.split('=');
        const key = k.trim().toLowerCase();
        return (key === 'max-age' && Number(v) <= 0) || (key === 'expires' && Date.parse(v) < Date.now());
      });
      if (gone || value === '') this.#values.delete(name);
      else this.#values.set(name, value);
    }
  }

  get header(): string {
    return [...this.#values].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface ProviderCallback {
  /** Where the server's callback sent the browser: `/#oidc=TICKET` or `/#oidc-error=CODE`. */
  location: string;
  /** The ticket in it, when there is one. */
  ticket?: string;
  /** The binding cookie (`mux1_oidc=...`) the ticket must be traded with. */
  cookie: string;
}

/**
 * Starts a sign-in at `serverUrl` with provider `providerId`, signs in at the test provider as
 * `login` (and consents), and follows the provider back to the server's callback.
 */
export async function signInThroughProvider(
  serverUrl: string,
  idp: TestProvider,
  providerId: string,
  login: string,
): Promise<ProviderCallback> {
  const start = await fetch(`${serverUrl}/api/oidc/${providerId}/start`, {
    method: 'POST',
    headers: { Accept: 'application/json' },
  });
  if (start.status !== 200) throw new Error(`start answered ${start.status}: ${await start.text()}`);
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
  let url = ((await start.json()) as { authorization_url: string }).authorization_url;
  const jar = new ProviderCookies();
  for (let step = 0; step < 12; step++) {
    if (url.startsWith(serverUrl)) {
      const back = await fetch(url, { redirect: 'manual', headers: { cookie } });
      const location = back.headers.get('location') ?? '';
      if (back.status !== 302) throw new Error(`the callback answered ${back.status}`);
      const ticket = /^\/#oidc=([A-Za-z0-9_-]{43})$/.exec(location)?.[1];
      return { location, ticket, cookie };
    }
    if (!url.startsWith(idp.issuer)) throw new Error(`the provider sent the browser to ${url}`);
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header } });
    jar.keep(res);
    const next = res.headers.get('location');
    if (next) {
      url = new URL(next, url).href;
      continue;
    }
    // A page of the provider's: its login form or its consent form, sent as a browser sends it.
    const html = await res.text();
    const prompt = /name="prompt" value="(login|consent)"/.exec(html)?.[1];
    if (!prompt) throw new Error(`an unexpected page at the provider (${res.status}): ${html.slice(0, 300)}`);
    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      form.set('login', login);
      form.set('password', 'any password');
    }
    const sent = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    jar.keep(sent);
    const after = sent.headers.get('location');
    if (!after) throw new Error(`the provider's ${prompt} form answered ${sent.status}`);
    url = new URL(after, url).href;
  }
  throw new Error('the provider did not send the browser back');
}
