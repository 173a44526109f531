import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { useChromium } from '../helpers/chromium.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, loggedInPerson } from '../helpers/accounts.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startLoginWeb } from '../helpers/device-login.js';
import { freePort } from '../helpers/ports.js';
import { providerEntry, startOidcProvider, type TestProvider } from '../helpers/oidc-provider.js';
import { throughProvider } from '../helpers/oidc-browser.js';

const ARTIFACTS = 'test-artifacts';

/*
 * The terminal signs in with an identity provider: `mux1 login --web` (the built CLI, a child
 * process) against a server configured with a real OpenID Connect provider on loopback. The
 * browser opens the CLI's complete URL signed out, is sent to the main page, signs in (and the
 * first time signs up) through the provider, comes back to /device with the code, approves, and
 * the CLI has a session. The way back to /device survives the provider round trip in the tab's
 * sessionStorage, and leads only to /device.
 */
describe('device login with a provider sign-in: mux1 login --web, the provider, /device in Chromium', function () {
  this.timeout(180_000);
  let smtp: TestSmtp;
  let idp: TestProvider;
  let t: TestServer;
  const chromium = useChromium();
  let home: { path: string; remove(): void };
  let env: Record<string, string>;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const serverPort = await freePort();
    const url = `http://127.0.0.1:${serverPort}`;
    idp = await startOidcProvider({
      port: await freePort(),
      redirectUris: [`${url}/api/oidc/testid/callback`],
    });
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
  beforeEach(() => {
    home = tempDir();
    env = { MUX1_SERVER: t.url, MUX1_CONFIG_DIR: join(home.path, 'config') };
  });
  afterEach(() => {
    home.remove();
    expect(errors, 'errors in the page').to.deep.equal([]);
  });
  after(async () => {
    await t?.close();
    await idp?.close();
    await smtp?.close();
  });

  /** A person's browser: the provider's page fonts (off the machine) are refused quietly. */
  async function newBrowser(): Promise<BrowserContext> {
    const context = await chromium.browser.newContext({ viewport: { width: 900, height: 800 } });
    await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
    return context;
  }
  /** A tab: only our pages' errors count (the failed code lookups' 404s aside). */
  async function newTab(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (
        msg.type() === 'error' &&
        page.url().startsWith(t.url) &&
        !msg.text().includes('Failed to load resource')
      )
        errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    return page;
  }

  /** The CLI's complete URL opened in `page`, signed out: to the main page, with the code. */
  async function openSignedOut(page: Page, completeUrl: string, userCode: string): Promise<void> {
    await page.goto(completeUrl);
    await page.waitForSelector('#device-signin:not([hidden])');
    await page.click('#device-signin-link');
    await page.waitForURL(`${t.url}/?device=${userCode}`);
    await page.locator('#provider-buttons button:has-text("Sign in with Test ID")').waitFor();
  }

  /** Back on /device with the code looked up: approves it; the CLI ends logged in as `username`. */
  async function approveAndCheck(
    page: Page,
    cli: ReturnType<typeof startLoginWeb>,
    userCode: string,
    username: string,
    screenshot?: string,
  ): Promise<void> {
    await page.waitForURL(`${t.url}/device?code=${userCode}`);
    await page.waitForSelector('#device-confirm:not([hidden])');
    expect(await page.textContent('#device-user-code')).to.equal(userCode);
    expect(await page.textContent('#device-client')).to.match(/^mux1 CLI on /);
    expect(await page.textContent('#whoami')).to.equal(`Signed in as ${username}`);
    if (screenshot) await page.screenshot({ path: `${ARTIFACTS}/${screenshot}`, fullPage: true });
    await page.click('#device-approve');
    await page.waitForSelector('#device-done:not([hidden])');
    expect(await page.textContent('#device-result')).to.match(/^Approved: mux1 CLI on .* is signed in as /);

    const done = await cli.done;
    expect(done.code, done.stderr).to.equal(0);
    expect(done.stdout).to.include(`Logged in as ${username}.`);
    const whoami = await runCli(['whoami', '--json'], { env });
    expect(whoami.code, whoami.stderr).to.equal(0);
    expect(whoami.json().user.username).to.equal(username);
  }

  let carol: BrowserContext;

  it('signs up through the provider from the device page, comes back to /device and approves', async () => {
    const cli = startLoginWeb(env);
    const { userCode, completeUrl } = await cli.shown;
    carol = await newBrowser();
    const page = await newTab(carol);
    await openSignedOut(page, completeUrl, userCode);
    expect(await page.textContent('#whoami')).to.include('Sign in to approve the code of your terminal');
    await page.screenshot({ path: `${ARTIFACTS}/device-oidc-sign-in-first.png`, fullPage: true });

    await throughProvider(page, idp, 'carol', () =>
      page.click('#provider-buttons button:has-text("Sign in with Test ID")'),
    );
    // A new provider account: the username step first, on the main page, the code kept meanwhile.
    await page.waitForSelector('#oidc-signup-form:not([hidden])');
    expect(page.url(), 'the ticket left, the way back took its place').to.equal(
      `${t.url}/?device=${userCode}`,
    );
    expect(await page.textContent('#whoami')).to.include('Sign in to approve the code of your terminal');
    await page.screenshot({ path: `${ARTIFACTS}/device-oidc-username-step.png`, fullPage: true });
    await page.fill('#oidc-signup-username', 'carol_idp');
    await page.click('#oidc-signup-form button[type="submit"]');

    await approveAndCheck(page, cli, userCode, 'carol_idp', 'device-oidc-confirm.png');
    // The account was made through the provider, and the terminal's session is one of its sessions.
    const token = (await page.evaluate('sessionStorage.getItem("mux1.token")')) as string;
    const me = await api(t.url, 'GET', '/api/me', undefined, bearer(token));
    expect(me.body.user).to.include({ username: 'carol_idp', email: 'carol@example.test' });
    const sessions = await api(t.url, 'GET', '/api/sessions', undefined, bearer(token));
    expect(sessions.body.sessions.map((s: { user_agent: string | null }) => s.user_agent)).to.satisfy(
      (agents: (string | null)[]) => agents.some((a) => / \(device login\)$/.test(a ?? '')),
    );
    expect(
      await page.evaluate('sessionStorage.getItem("mux1.device-return")'),
      'the way back is used once',
    ).to.equal(null);
    await page.close();
  });

  it('signs in again through the provider (which remembers the person) in a new tab: same account', async () => {
    const cli = startLoginWeb(env);
    const { userCode, completeUrl } = await cli.shown;
    // A new tab of the same browser: no mux1 session (it lives in the tab), the provider's cookie stays.
    const page = await newTab(carol);
    await openSignedOut(page, completeUrl, userCode);
    await throughProvider(page, idp, 'carol', () =>
      page.click('#provider-buttons button:has-text("Sign in with Test ID")'),
    );
    await approveAndCheck(page, cli, userCode, 'carol_idp');
    await carol.close();
  });

  it('says account_disabled when the account is disabled between the approval and the poll', async () => {
    const adminPerson = await loggedInPerson(t.url, smtp, 'devadmin');
    await t.server.db('users').where({ username: adminPerson.username }).update({ role: 'admin' });
    const me = await loggedInPerson(t.url, smtp, 'devdisabled');
    // The CLI's first poll comes `interval` (5 s) after its code: the approval and the disable land
    // before it, in that order.
    const cli = startLoginWeb(env);
    const { userCode } = await cli.shown;
    const approved = await api(
      t.url,
      'POST',
      '/api/device/approve',
      { user_code: userCode, approve: true },
      bearer(me.token),
    );
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    const id = (await api(t.url, 'GET', '/api/me', undefined, bearer(me.token))).body.user.id;
    const disabled = await api(
      t.url,
      'PATCH',
      `/api/admin/users/${id}`,
      { disabled: true },
      bearer(adminPerson.token),
    );
    expect(disabled.status, JSON.stringify(disabled.body)).to.equal(200);
    const done = await cli.done;
    expect(done.code).to.equal(1);
    expect(done.stderr).to.include('disabled by an administrator');
    expect((await runCli(['whoami'], { env })).code, 'nothing saved').to.not.equal(0);
  });

  it('leads only to /device: a hostile address, a hostile or stale kept value, a visit in between', async () => {
    const me = await loggedInPerson(t.url, smtp, 'devret');
    const context = await newBrowser();
    const page = await newTab(context);
    const signInWithPassword = async () => {
      await page.fill('#login-username', me.username);
      await page.fill('#login-password', me.password);
      await page.click('#login-form button[type="submit"]');
    };
    const signOut = async () => {
      await page.evaluate('sessionStorage.clear()');
    };

    // Another site in the address: back to the fixed /device, which asks for the code.
    for (const hostile of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      await page.goto(`${t.url}/?device=${encodeURIComponent(hostile)}`);
      await signInWithPassword();
      await page.waitForURL(`${t.url}/device`);
      await page.waitForSelector('#device-form:not([hidden])');
      expect(await page.inputValue('#device-code'), hostile).to.equal('');
      await signOut();
    }

    // Kept values that are not a way back, found on the return from the provider: ignored.
    const now = Date.now();
    for (const kept of [
      JSON.stringify({ code: '//evil.example', at: now }),
      JSON.stringify({ code: 'https://evil.example/x', at: now }),
      JSON.stringify({ code: 'BCDF-GHJK', at: now - 11 * 60_000 }),
      JSON.stringify({ code: 'BCDF-GHJK' }),
      JSON.stringify(['BCDF-GHJK']),
      '{"code":',
    ]) {
      // Set on /device, which leaves it alone (a visit to the main page would forget it).
      await page.goto(`${t.url}/device`);
      await page.evaluate(`sessionStorage.setItem("mux1.device-return", ${JSON.stringify(kept)})`);
      await page.goto(`${t.url}/#oidc-error=provider_refused`);
      await page
        .locator('#oidc-error')
        .filter({ hasText: /did not pass its checks/ })
        .waitFor();
      expect(page.url(), kept).to.equal(`${t.url}/`);
      await signInWithPassword();
      await page.waitForSelector('#chat:not([hidden])');
      expect(page.url(), kept).to.equal(`${t.url}/`);
      await signOut();
    }

    // A good kept code comes back after a failed provider round trip, for the password to use.
    await page.goto(`${t.url}/?device=bcdf ghjk`);
    await page.goto(`${t.url}/#oidc-error=provider_refused`);
    expect(page.url()).to.equal(`${t.url}/?device=BCDF-GHJK`);
    await signInWithPassword();
    await page.waitForURL(`${t.url}/device?code=BCDF-GHJK`);
    await signOut();

    // Abandoned: a plain visit to the page in between forgets it.
    await page.goto(`${t.url}/?device=BCDF-GHJK`);
    await page.goto(`${t.url}/`);
    // (By way of /device: from / to /#... would only move within the page, running nothing.)
    await page.goto(`${t.url}/device`);
    await page.goto(`${t.url}/#oidc-error=provider_refused`);
    await page
      .locator('#oidc-error')
      .filter({ hasText: /did not pass its checks/ })
      .waitFor();
    expect(page.url()).to.equal(`${t.url}/`);
    await context.close();
  });
});
