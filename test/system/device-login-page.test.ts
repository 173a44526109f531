import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { collectPageErrors, useChromium } from '../helpers/chromium.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, loggedInPerson } from '../helpers/accounts.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startLoginWeb } from '../helpers/device-login.js';

const ARTIFACTS = 'test-artifacts';

/**
 * Device login end to end: the built CLI runs `mux1 login --web` as a child process, the test
 * reads the code and the URL off its output, and a person approves (or denies) it on the /device
 * page in Chromium, under the page's CSP; the CLI gets its session and `mux1 whoami` works.
 */
describe('device login: mux1 login --web approved on the /device page in Chromium', function () {
  this.timeout(120_000);
  let smtp: TestSmtp;
  let t: TestServer;
  const chromium = useChromium();
  let home: { path: string; remove(): void };
  let env: Record<string, string>;
  const errors: string[] = [];

  const newPage = async (): Promise<Page> => {
    const context = await chromium.browser.newContext({ viewport: { width: 900, height: 800 } });
    const page = await context.newPage();
    collectPageErrors(page, errors);
    return page;
  };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url, LOG_LEVEL: 'warn' } });
  });
  beforeEach(() => {
    home = tempDir();
    env = { MUX1_SERVER: t.url, MUX1_CONFIG_DIR: join(home.path, 'config') };
  });
  afterEach(() => home.remove());
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('opens the complete URL signed out, signs in on the page, comes back, approves; the CLI is logged in', async () => {
    const me = await loggedInPerson(t.url, smtp, 'devpage');
    const cli = startLoginWeb(env);
    const { userCode, completeUrl } = await cli.shown;
    expect(completeUrl).to.equal(`${t.url}/device?code=${userCode}`);

    const page = await newPage();
    await page.goto(completeUrl);
    // Not signed in in this tab: asked to sign in first.
    await page.waitForSelector('#device-signin:not([hidden])');
    await page.click('#device-signin-link');
    await page.waitForURL(/\/\?device=/);
    expect(await page.textContent('#whoami')).to.include('Sign in to approve the code of your terminal');
    await page.screenshot({ path: `${ARTIFACTS}/device-sign-in-first.png`, fullPage: true });
    await page.fill('#login-username', me.username);
    await page.fill('#login-password', me.password);
    await page.click('#login-form button[type="submit"]');
    // Back on /device with the code, looked up: the terminal's name, address and time.
    await page.waitForURL(/\/device\?code=/);
    await page.waitForSelector('#device-confirm:not([hidden])');
    expect(await page.textContent('#device-user-code')).to.equal(userCode);
    expect(await page.textContent('#device-client')).to.match(/^mux1 CLI on /);
    expect(await page.textContent('#device-ip')).to.equal('127.0.0.1');
    expect(await page.textContent('#device-time')).to.not.equal('');
    expect(await page.textContent('#whoami')).to.include(me.username);
    await page.screenshot({ path: `${ARTIFACTS}/device-confirm.png`, fullPage: true });

    await page.click('#device-approve');
    await page.waitForSelector('#device-done:not([hidden])');
    expect(await page.textContent('#device-result')).to.match(/^Approved: mux1 CLI on .* is signed in as /);
    await page.screenshot({ path: `${ARTIFACTS}/device-approved.png`, fullPage: true });

    const done = await cli.done;
    expect(done.code, done.stderr).to.equal(0);
    expect(done.stdout).to.include(`Logged in as ${me.username}.`);
    const whoami = await runCli(['whoami', '--json'], { env });
    expect(whoami.code, whoami.stderr).to.equal(0);
    expect(whoami.json().user.username).to.equal(me.username);

    // The terminal's session is in the list, and revoking it logs the CLI out.
    const sessions = await api(t.url, 'GET', '/api/sessions', undefined, bearer(me.token));
    const device = sessions.body.sessions.find((s: { user_agent: string | null }) =>
      / \(device login\)$/.test(s.user_agent ?? ''),
    );
    expect(device, JSON.stringify(sessions.body)).to.not.equal(undefined);
    expect(
      (await api(t.url, 'DELETE', `/api/sessions/${device.id}`, undefined, bearer(me.token))).status,
    ).to.equal(204);
    expect((await runCli(['whoami'], { env })).code).to.not.equal(0);
    await page.context().close();
  });

  it('a code typed by hand and denied: the CLI says so and keeps nothing', async () => {
    const me = await loggedInPerson(t.url, smtp, 'devdeny');
    const cli = startLoginWeb(env);
    const { userCode } = await cli.shown;
    const page = await newPage();
    // Signed in on the main page first, then to /device in the same tab, without the code.
    await page.goto(t.url + '/');
    await page.fill('#login-username', me.username);
    await page.fill('#login-password', me.password);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    await page.goto(t.url + '/device');
    await page.waitForSelector('#device-form:not([hidden])');
    await page.screenshot({ path: `${ARTIFACTS}/device-enter-code.png`, fullPage: true });
    // A wrong code first: said on the page, nothing decided.
    await page.fill('#device-code', 'BBBB-BBBB');
    await page.click('#device-form button[type="submit"]');
    await page
      .locator('#device-form .error')
      .filter({ hasText: /no login is waiting/ })
      .waitFor();
    // Typed in lower case without the dash: the same code.
    await page.fill('#device-code', userCode.toLowerCase().replace('-', ''));
    await page.click('#device-form button[type="submit"]');
    await page.waitForSelector('#device-confirm:not([hidden])');
    await page.click('#device-deny');
    await page.waitForSelector('#device-done:not([hidden])');
    expect(await page.textContent('#device-result')).to.match(/^Denied/);

    const done = await cli.done;
    expect(done.code).to.equal(1);
    expect(done.stderr).to.include('denied');
    expect((await runCli(['whoami'], { env })).code).to.not.equal(0);
    await page.context().close();
  });

  it('takes only letters from the address bar and shows nothing as markup', async () => {
    const me = await loggedInPerson(t.url, smtp, 'devhostile');
    const page = await newPage();
    await page.goto(t.url + '/');
    await page.fill('#login-username', me.username);
    await page.fill('#login-password', me.password);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    // A client name that would be markup if the page inserted it as HTML.
    const codes = await api(t.url, 'POST', '/api/device/code', { client_name: '<img src=x id=pwned>' });
    await page.goto(
      `${t.url}/device?code=${encodeURIComponent(`${codes.body.user_code}<svg onload=alert(1)>`)}`,
    );
    // "svg onload alert" are letters too: the code they make is wrong, and said so.
    await page
      .locator('#device-form .error')
      .filter({ hasText: /no login is waiting/ })
      .waitFor();
    expect(await page.inputValue('#device-code')).to.match(/^[A-Za-z -]*$/);
    await page.fill('#device-code', codes.body.user_code);
    await page.click('#device-form button[type="submit"]');
    await page.waitForSelector('#device-confirm:not([hidden])');
    expect(await page.textContent('#device-client')).to.equal('<img src=x id=pwned>');
    expect(await page.locator('#pwned').count(), 'names are text, never markup').to.equal(0);
    await page.context().close();
    // Only the failed lookups' 404s, which Chromium logs; no CSP violation, no exception.
    expect(errors.filter((e) => !/404|Not Found|400|401/.test(e))).to.deep.equal([]);
  });
});
