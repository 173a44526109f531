import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { collectPageErrors, useChromium } from '../helpers/chromium.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, loggedInPerson } from '../helpers/accounts.js';

const ARTIFACTS = 'test-artifacts';

/** The page in Chromium, under its CSP: the access tokens panel lists, creates once, revokes. */
describe('browser page: access tokens', function () {
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
    const context = await chromium.browser.newContext({ viewport: { width: 1000, height: 1100 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    page = await context.newPage();
    collectPageErrors(page, errors);
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('creates a token shown once, lists it without the token, and revokes it after a second click', async () => {
    const me = await loggedInPerson(t.url, smtp, 'pagetok');
    // A name that would be markup if the page inserted it as HTML.
    const hostile = '<img src=x id=pwned>';
    const other = await api(
      t.url,
      'POST',
      '/api/tokens',
      { name: hostile, scopes: ['chat:read'] },
      bearer(me.token),
    );
    expect(other.status).to.equal(201);

    await page.goto(t.url + '/');
    await page.fill('#login-username', me.username);
    await page.fill('#login-password', me.password);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    await page.click('#tokens summary');
    await page.locator('#tokens-list li').first().waitFor();
    expect(await page.locator('#pwned').count(), 'names are text, never markup').to.equal(0);
    expect(await page.textContent('#tokens-list')).to.include(hostile);

    // Refused in the page before anything is sent.
    await page.click('#token-create-form button[type="submit"]');
    await page.locator('#token-create-form .error').filter({ hasText: /name/ }).waitFor();
    await page.fill('#token-name', 'ci deploy');
    await page.uncheck('#token-create-form input[value="chat:read"]');
    await page.uncheck('#token-create-form input[value="chat:write"]');
    await page.click('#token-create-form button[type="submit"]');
    await page.locator('#token-create-form .error').filter({ hasText: /scope/ }).waitFor();

    await page.check('#token-create-form input[value="chat:write"]');
    await page.check('#token-create-form input[value="profile:read"]');
    await page.selectOption('#token-expiry', '30');
    await page.click('#token-create-form button[type="submit"]');
    await page.waitForSelector('#token-created:not([hidden])');
    const token = (await page.textContent('#token-value'))!;
    expect(token).to.match(/^mux1_pat_[A-Za-z0-9]+$/);
    await page.locator('#tokens-list li').filter({ hasText: 'ci deploy' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/browser-tokens-created.png`, fullPage: true });

    const whoami = await api(t.url, 'GET', '/api/me', undefined, bearer(token));
    expect(whoami.status).to.equal(200);
    expect(whoami.body.credential).to.include({ type: 'token', name: 'ci deploy' });
    const listed = (await api(t.url, 'GET', '/api/tokens', undefined, bearer(me.token))).body.tokens;
    const created = listed.find((x: any) => x.name === 'ci deploy');
    expect(created.scopes.slice().sort()).to.deep.equal(['chat:write', 'profile:read']);
    const days = (Date.parse(created.expires_at) - Date.now()) / 86_400_000;
    expect(days).to.be.within(29, 31);

    await page.click('#token-copy');
    await page.locator('#token-created .notice').filter({ hasText: /\S/ }).waitFor();
    await page.click('#token-done');
    await page.waitForSelector('#token-created', { state: 'hidden' });
    expect(await page.content(), 'the token leaves the page once saved').not.to.include(token);

    const row = page.locator('#tokens-list li').filter({ hasText: 'ci deploy' });
    await row.locator('button.revoke').click();
    await row.locator('button.keep').click();
    expect((await api(t.url, 'GET', '/api/me', undefined, bearer(token))).status, 'kept').to.equal(200);
    await row.locator('button.revoke').click();
    await page.screenshot({ path: `${ARTIFACTS}/browser-tokens-revoke.png`, fullPage: true });
    await row.locator('button.revoke').click();
    await row.waitFor({ state: 'detached' });
    expect((await api(t.url, 'GET', '/api/me', undefined, bearer(token))).status).to.equal(401);
    expect(await page.locator('#tokens-list li').count()).to.equal(1);
    expect(errors.filter((e) => !/400|Bad Request/.test(e))).to.deep.equal([]);
  });
});
