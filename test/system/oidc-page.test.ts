import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { useChromium } from '../helpers/chromium.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, loggedInPerson } from '../helpers/accounts.js';
import { totpAt, turnOn } from '../helpers/two-factor.js';
import { freePort } from '../helpers/ports.js';
import { providerEntry, startOidcProvider, type TestProvider } from '../helpers/oidc-provider.js';
import { throughProvider as throughProviderPages } from '../helpers/oidc-browser.js';

const ARTIFACTS = 'test-artifacts';

/*
 * Sign-in with an identity provider, end to end: a real OpenID Connect provider (oidc-provider)
 * on loopback, the server configured with it through OIDC_PROVIDERS, and the page in Chromium
 * under its CSP. Each browser context is one person's browser (its own cookies at both ends).
 */
describe('browser page: sign in with an identity provider (OpenID Connect)', function () {
  this.timeout(120_000);
  let smtp: TestSmtp;
  let idp: TestProvider;
  let t: TestServer;
  const chromium = useChromium();
  const errors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const serverPort = await freePort();
    const idpPort = await freePort();
    const url = `http://127.0.0.1:${serverPort}`;
    idp = await startOidcProvider({ port: idpPort, redirectUris: [`${url}/api/oidc/testid/callback`] });
    smtp = await startSmtp();
    t = await startTestServer({
      env: {
        PORT: String(serverPort),
        PUBLIC_URL: url,
        SMTP_URL: smtp.url,
        LOG_LEVEL: 'warn',
        OIDC_PROVIDERS: JSON.stringify([providerEntry(idp)]),
      },
    });
  });
  after(async () => {
    await t?.close();
    await idp?.close();
    await smtp?.close();
  });
  afterEach(() => {
    expect(errors, 'errors in the page').to.deep.equal([]);
  });

  /** A new person's browser: the provider's page fonts (off the machine) are refused quietly. */
  async function newBrowser(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await chromium.browser.newContext({ viewport: { width: 1000, height: 900 } });
    await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
    const page = await context.newPage();
    // Only our page's errors count; the provider's pages are not ours to judge.
    page.on('console', (msg) => {
      if (
        msg.type() === 'error' &&
        page.url().startsWith(t.url) &&
        !msg.text().includes('Failed to load resource')
      )
        errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    return { context, page };
  }

  /**
   * Does `act` (which sends the browser to the provider), then goes through the provider's own
   * pages (login, consent) until the browser is back on the server: the main frame's navigations
   * are followed one by one, since a provider that remembers the person redirects straight back.
   * `back` says when the browser counts as back (by default: on the server's origin).
   */
  /** Through the test provider's pages until the browser is back on this server. */
  const throughProvider = (
    page: Page,
    login: string,
    act: () => Promise<unknown>,
    back: (url: string) => boolean = (url) => url.startsWith(t.url),
  ) => throughProviderPages(page, idp, login, act, back);

  const tokenOf = (page: Page) => page.evaluate<string | null>('sessionStorage.getItem("mux1.token")');

  async function signInWith(page: Page, login: string): Promise<void> {
    await page.goto(t.url + '/');
    await page.locator('#provider-buttons button:has-text("Sign in with Test ID")').waitFor();
    await throughProvider(page, login, () =>
      page.click('#provider-buttons button:has-text("Sign in with Test ID")'),
    );
  }

  let alice: { token: string; context: BrowserContext; page: Page };

  it('shows a "Sign in with" button per provider on the login card', async () => {
    const { context, page } = await newBrowser();
    await page.goto(t.url + '/');
    await page.waitForSelector('#provider-signin:not([hidden])');
    expect(await page.locator('#provider-buttons button').allTextContents()).to.deep.equal([
      'Sign in with Test ID',
    ]);
    await page.locator('#login-form').screenshot({ path: `${ARTIFACTS}/oidc-login-card.png` });
    await context.close();
  });

  it('signs up through the provider: a verified email, then a username chosen on the page', async () => {
    const { context, page } = await newBrowser();
    await signInWith(page, 'alice');
    await page.waitForSelector('#oidc-signup-form:not([hidden])');
    expect(await page.textContent('#oidc-signup-intro')).to.include('alice@example.test');
    expect(page.url(), 'the ticket leaves the address bar').to.not.include('oidc=');
    await page.screenshot({ path: `${ARTIFACTS}/oidc-username-step.png`, fullPage: true });
    await page.fill('#oidc-signup-username', 'alice_idp');
    await page.click('#oidc-signup-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    expect(await page.textContent('#whoami')).to.include('alice_idp');
    const token = (await tokenOf(page))!;
    const me = await api(t.url, 'GET', '/api/me', undefined, bearer(token));
    expect(me.status).to.equal(200);
    expect(me.body.user).to.include({ username: 'alice_idp', email: 'alice@example.test' });
    // The identity is listed in the settings; it is this account's only way in, so it stays.
    await page.click('#identities summary');
    await page.locator('#identities-list li').filter({ hasText: 'Test ID' }).waitFor();
    await page.click('#identities-list li button:has-text("Remove")');
    await page
      .locator('#identities-error')
      .filter({ hasText: /only way to sign in/ })
      .waitFor();
    expect(await page.locator('#identities-list li').count()).to.equal(1);
    alice = { token, context, page };
  });

  it('signs the same provider account in again, to the same account, without a username step', async () => {
    const { page } = alice;
    await page.click('#logout');
    await page.waitForSelector('#account:not([hidden])');
    await signInWith(page, 'alice');
    await page.waitForSelector('#chat:not([hidden])');
    expect(await page.textContent('#whoami')).to.include('alice_idp');
    expect(await page.locator('#oidc-signup-form').isHidden()).to.equal(true);
    // A normal session: in the sessions list, ended by logout.
    const token = (await tokenOf(page))!;
    const sessions = await api(t.url, 'GET', '/api/sessions', undefined, bearer(token));
    expect(sessions.status).to.equal(200);
    await alice.context.close();
  });

  it('never links by email alone: the page asks to log in to that account and link it there', async () => {
    const bob = await loggedInPerson(t.url, smtp, 'bobpw');
    idp.people.set('bob-at-idp', { email: bob.email, verified: true });
    const { context, page } = await newBrowser();
    await signInWith(page, 'bob-at-idp');
    await page
      .locator('#oidc-notice')
      .filter({ hasText: `An account already has ${bob.email}` })
      .waitFor();
    expect(await page.locator('#chat').isHidden(), 'no session').to.equal(true);
    expect(await tokenOf(page)).to.equal(null);
    const listed = await api(t.url, 'GET', '/api/identities', undefined, bearer(bob.token));
    expect(listed.body.identities, 'nothing linked').to.deep.equal([]);

    // Linked by its owner, signed in with the password, from the settings.
    await page.fill('#login-username', bob.username);
    await page.fill('#login-password', bob.password);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    await page.click('#identities summary');
    await throughProvider(page, 'bob-at-idp', () =>
      page.click('#identity-link-buttons button:has-text("Link Test ID")'),
    );
    await page.locator('#identities-notice').filter({ hasText: 'Test ID is now linked' }).waitFor();
    await page.locator('#identities-list li').filter({ hasText: bob.email }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/oidc-settings-linked.png`, fullPage: true });

    // Now the provider signs in to bob's account.
    await page.click('#logout');
    await signInWith(page, 'bob-at-idp');
    await page.waitForSelector('#chat:not([hidden])');
    expect(await page.textContent('#whoami')).to.include(bob.username);

    // With two-factor sign-in on, the provider is not enough: the code is asked for.
    // (Turning it on ends bob's other sessions, the page's among them.)
    const { secret } = await turnOn(t.url, bob, Date.now());
    await page.evaluate('sessionStorage.clear()');
    await signInWith(page, 'bob-at-idp');
    await page.waitForSelector('#mfa-form:not([hidden])');
    expect(await page.locator('#chat').isHidden()).to.equal(true);
    expect(await tokenOf(page)).to.equal(null);
    await page.fill('#mfa-code', totpAt(secret, Date.now() + 30_000));
    await page.click('#mfa-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    expect(await page.textContent('#whoami')).to.include(bob.username);
    const { body } = await api(
      t.url,
      'POST',
      '/api/2fa/setup',
      { password: bob.password },
      bearer(bob.token),
    );
    expect(body.code, 'two-factor is on').to.equal('two_factor_already_on');
    await context.close();
    // bob has a password: his identity may go.
    const ids = await api(t.url, 'GET', '/api/identities', undefined, bearer(bob.token));
    const removed = await api(
      t.url,
      'DELETE',
      `/api/identities/${ids.body.identities[0].id}`,
      undefined,
      bearer(bob.token),
    );
    expect(removed.status).to.equal(204);
  });

  it('refuses to link a provider account another account has, and lets no token start a link', async () => {
    const linker = await loggedInPerson(t.url, smtp, 'linker');
    const { context, page } = await newBrowser();
    await page.goto(t.url + '/');
    await page.fill('#login-username', linker.username);
    await page.fill('#login-password', linker.password);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    await page.click('#identities summary');
    // "alice" at the provider is alice_idp's identity (the signup test above).
    await throughProvider(page, 'alice', () =>
      page.click('#identity-link-buttons button:has-text("Link Test ID")'),
    );
    await page.locator('#identities-error').filter({ hasText: 'linked to another account' }).waitFor();
    await page.waitForSelector('#chat:not([hidden])');
    const listed = await api(t.url, 'GET', '/api/identities', undefined, bearer(linker.token));
    expect(listed.body.identities).to.deep.equal([]);

    const pat = await api(
      t.url,
      'POST',
      '/api/tokens',
      { name: 'bot', scopes: ['profile:read', 'chat:read', 'chat:write'] },
      bearer(linker.token),
    );
    const byToken = await api(
      t.url,
      'POST',
      '/api/identities/testid/link',
      undefined,
      bearer(pat.body.token),
    );
    expect(byToken.status).to.equal(403);
    expect(byToken.body).to.include({ code: 'insufficient_scope', scope: 'session' });
    await context.close();
  });

  it('makes no account from a provider that vouches for no verified email', async () => {
    idp.people.set('erin', { email: 'erin@example.test', verified: false });
    const { context, page } = await newBrowser();
    await signInWith(page, 'erin');
    await page.locator('#oidc-notice').filter({ hasText: 'did not share a verified email' }).waitFor();
    expect(await page.locator('#oidc-signup-form').isHidden()).to.equal(true);
    expect(await tokenOf(page)).to.equal(null);
    await context.close();
  });

  it('replaces an unverified signup that held the email the provider verified', async () => {
    // Someone signed up with frank's address first and never verified it (they cannot).
    const squatter = {
      username: 'franksquat',
      email: 'frank@example.test',
      password: 'squatter pass phrase 9',
    };
    expect((await api(t.url, 'POST', '/api/signup', squatter)).status).to.equal(201);
    const { context, page } = await newBrowser();
    await signInWith(page, 'frank');
    await page.waitForSelector('#oidc-signup-form:not([hidden])');
    // A taken username is refused on the step, which stays usable.
    await page.fill('#oidc-signup-username', 'alice_idp');
    await page.click('#oidc-signup-form button[type="submit"]');
    await page.locator('#oidc-signup-form .error').filter({ hasText: 'taken' }).waitFor();
    await page.fill('#oidc-signup-username', 'frank_real');
    await page.click('#oidc-signup-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    const me = await api(t.url, 'GET', '/api/me', undefined, bearer((await tokenOf(page))!));
    expect(me.body.user).to.include({ username: 'frank_real', email: 'frank@example.test' });
    // The squatter's name is free again: their account is gone.
    const again = await api(t.url, 'POST', '/api/signup', { ...squatter, email: 'other@example.test' });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    await context.close();
  });

  it('refuses a tampered state, and a callback carried to another browser', async () => {
    const { context, page } = await newBrowser();
    // The provider's redirect back is held: its URL is kept, and the browser goes nowhere.
    let callback = '';
    // The provider's redirects are followed here (a browser does not show them to the routes),
    // up to the one that leads back to the server.
    await context.route(`${idp.issuer}/**`, async (route) => {
      let response = await route.fetch({ maxRedirects: 0 });
      for (let hop = 0; hop < 5; hop++) {
        const location = response.headers()['location'];
        if (!location) break;
        const next = new URL(location, idp.issuer).href;
        if (next.includes('/api/oidc/testid/callback')) {
          callback = next;
          return route.fulfill({ status: 200, contentType: 'text/plain', body: 'held by the test' });
        }
        if (!next.startsWith(idp.issuer)) break;
        response = await context.request.get(next, { maxRedirects: 0 });
      }
      return route.fulfill({ response });
    });
    await page.goto(t.url + '/');
    await page.locator('#provider-buttons button').first().waitFor();
    // Stops at the provider's redirect back: the callback is captured, not sent to the server.
    await throughProvider(
      page,
      'carol',
      () => page.click('#provider-buttons button:has-text("Sign in with Test ID")'),
      () => callback !== '',
    );
    await context.unroute(`${idp.issuer}/**`);

    const tampered = new URL(callback);
    tampered.searchParams.set(
      'state',
      tampered.searchParams.get('state')!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    );
    await page.goto(tampered.href);
    await page
      .locator('#oidc-error')
      .filter({ hasText: /unknown, expired, already used/ })
      .waitFor();
    expect(await tokenOf(page)).to.equal(null);

    // The same callback in another browser (a link sent to someone): no binding cookie, refused.
    const other = await newBrowser();
    await other.page.goto(callback);
    await other.page
      .locator('#oidc-error')
      .filter({ hasText: /another browser/ })
      .waitFor();
    expect(await tokenOf(other.page)).to.equal(null);
    await other.context.close();

    // The untouched callback still works in the browser that started it: the refusals were the tampering's.
    await page.goto(callback);
    await page.waitForSelector('#oidc-signup-form:not([hidden])');
    // And once used, never again.
    await page.goto(callback);
    await page
      .locator('#oidc-error')
      .filter({ hasText: /already used/ })
      .waitFor();
    await context.close();
  });

  it('refuses an ID token whose nonce is not the one this sign-in sent', async () => {
    const { context, page } = await newBrowser();
    await page.goto(t.url + '/');
    const start = await page.evaluate(async () => {
      const res = await fetch('/api/oidc/testid/start', {
        method: 'POST',
        headers: { Accept: 'application/json' },
      });
      return (await res.json()) as { authorization_url: string };
    });
    const url = new URL(start.authorization_url);
    expect(url.searchParams.get('code_challenge_method')).to.equal('S256');
    url.searchParams.set('nonce', 'a-nonce-the-server-never-sent');
    await throughProvider(page, 'dave', () => page.goto(url.href));
    await page
      .locator('#oidc-error')
      .filter({ hasText: /did not pass its checks/ })
      .waitFor();
    expect(await tokenOf(page)).to.equal(null);
    await context.close();
  });
});
