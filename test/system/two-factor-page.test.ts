import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { collectPageErrors, useChromium } from '../helpers/chromium.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, loggedInPerson } from '../helpers/accounts.js';
import { totpAt } from '../helpers/two-factor.js';

const ARTIFACTS = 'test-artifacts';

/** The page in Chromium: two-factor setup with the SVG QR code, then a login's second step. */
describe('browser page: two-factor sign-in', function () {
  this.timeout(60_000);
  let smtp: TestSmtp;
  let t: TestServer;
  const chromium = useChromium();
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url, LOG_LEVEL: 'warn' } });
    page = await chromium.browser.newPage({ viewport: { width: 1000, height: 900 } });
    collectPageErrors(page, errors);
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('turns it on with the QR code, then logs in with a code', async () => {
    const me = await loggedInPerson(t.url, smtp, 'page2fa');
    await page.goto(t.url + '/');
    await page.fill('#login-username', me.username);
    await page.fill('#login-password', me.password);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');

    await page.click('#two-factor summary');
    await page.fill('#two-factor-password', me.password);
    await page.click('#two-factor-setup-form button[type="submit"]');
    await page.waitForSelector('#two-factor-qr svg');
    const secret = (await page.textContent('#two-factor-secret'))!;
    expect(secret).to.match(/^[A-Z2-7]{32}$/);
    // The QR code is SVG elements in the page: drawn, with no script and no inline HTML.
    expect(await page.locator('#two-factor-qr svg path').count()).to.be.above(0);
    await page.fill('#two-factor-code', totpAt(secret, Date.now()));
    await page.screenshot({ path: `${ARTIFACTS}/browser-two-factor-setup.png`, fullPage: true });
    await page.click('#two-factor-enable-form button[type="submit"]');
    await page.waitForSelector('#two-factor-backup:not([hidden])');
    expect(await page.locator('#two-factor-backup-codes li').count()).to.equal(10);
    await page.screenshot({ path: `${ARTIFACTS}/browser-two-factor-codes.png`, fullPage: true });
    const backup = (await page.locator('#two-factor-backup-codes li').first().textContent())!;
    expect((await api(t.url, 'GET', '/api/me', undefined, bearer(me.token))).status).to.equal(401);

    await page.click('#logout');
    await page.waitForSelector('#account:not([hidden])');
    await page.fill('#login-username', me.username);
    await page.fill('#login-password', me.password);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#mfa-form:not([hidden])');
    await page.fill('#mfa-code', 'zzzz-zzzz-zzzz');
    await page.click('#mfa-form button[type="submit"]');
    // A locator, not a string expression: the page's CSP forbids the eval that one needs.
    await page.locator('#mfa-form .error').filter({ hasText: /\S/ }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/browser-two-factor-login.png`, fullPage: true });
    await page.fill('#mfa-code', backup);
    await page.click('#mfa-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    expect(errors.filter((e) => !/400|Bad Request/.test(e))).to.deep.equal([]);
  });
});
