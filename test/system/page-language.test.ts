import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { CATALOGS } from '../../i18n/index.js';
import { collectPageErrors, useChromium } from '../helpers/chromium.js';
import { useServer } from '../helpers/fixture.js';

const ARTIFACTS = 'test-artifacts';
const common = CATALOGS.de.common as { errors: Record<string, string> };
const german = CATALOGS.de.page as { device: Record<string, string> };

/**
 * A German browser (Chromium with the locale de-DE, which sends Accept-Language: de-DE) gets the
 * page in German: the static words from the server, the scripts' words from the catalog (with its
 * plurals), and an error by its code from common:errors - under the same CSP as in English.
 */
describe('the browser page in German (Chromium, locale de-DE)', function () {
  this.timeout(60_000);
  const chromium = useChromium();
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    context = await chromium.browser.newContext({ locale: 'de-DE', viewport: { width: 1000, height: 800 } });
    page = await context.newPage();
    collectPageErrors(page, consoleErrors);
  });
  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  it('shows the login card in German and a refused login in German', async () => {
    const res = await page.goto(t.url + '/');
    expect(res!.headers()['content-language']).to.equal('de');
    expect(await page.getAttribute('html', 'lang')).to.equal('de');
    expect(await page.locator('#login-form h2').textContent()).to.equal('Anmelden');
    await page.getByLabel('Benutzername oder E-Mail').fill('nobody');
    await page.locator('#login-form').getByLabel('Passwort').fill('wrong password');
    await page.locator('#login-form').getByLabel('Passwort').press('Enter');
    await page
      .locator('#login-form .error')
      .filter({ hasText: common.errors.invalid_credentials! })
      .waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/page-de-login.png`, fullPage: true });
  });

  it('says each refused field in German under it', async () => {
    const form = page.locator('#signup-form');
    await form.getByLabel('Benutzername').fill('No Spaces');
    await form.getByLabel('E-Mail').fill('x@example.c');
    await form.getByLabel('Passwort').fill('password');
    await form.getByLabel('Passwort').press('Enter');
    await form.locator('.field-error').nth(2).waitFor();
    expect(await form.locator('.field-error').allTextContents()).to.deep.equal([
      common.errors.invalid_field,
      common.errors.invalid_field,
      common.errors.weak_password,
    ]);
  });

  it('speaks German once signed in: the scripts’ words, plurals and dates', async () => {
    const me = await t.loggedInPerson('german');
    await page.goto(t.url + '/');
    await page.getByLabel('Benutzername oder E-Mail').fill(me.username);
    await page.locator('#login-form').getByLabel('Passwort').fill(me.password);
    await page.locator('#login-form').getByLabel('Passwort').press('Enter');
    await page.locator('#connection').filter({ hasText: 'verbunden' }).waitFor();
    expect(await page.textContent('#whoami')).to.equal(`Angemeldet als ${me.username}`);
    expect(await page.getAttribute('#message-input', 'placeholder')).to.equal('Nachricht an #lobby');

    await page.locator('[name="message"]').fill('Grüße aus dem Browser');
    await page.locator('[name="message"]').press('Enter');
    await page.locator('#messages li.own').filter({ hasText: 'Grüße aus dem Browser' }).waitFor();
    await page.getByLabel('Nachrichten durchsuchen').fill('Grüße');
    await page.getByLabel('Nachrichten durchsuchen').press('Enter');
    await page
      .locator('#search-status')
      .filter({ hasText: /^eine Nachricht$/ })
      .waitFor();
    await page.locator('[name="message"]').fill('noch mehr Grüße');
    await page.locator('[name="message"]').press('Enter');
    await page.locator('#messages li.own').filter({ hasText: 'noch mehr Grüße' }).waitFor();
    await page.getByLabel('Nachrichten durchsuchen').press('Enter');
    await page
      .locator('#search-status')
      .filter({ hasText: /^2 Nachrichten$/ })
      .waitFor();

    await page.locator('#two-factor summary').click();
    await page.locator('#two-factor-status').filter({ hasText: 'Ausgeschaltet' }).waitFor();
    await page.locator('#tokens summary').click();
    await page.locator('#token-name').fill('deploy-bot');
    await page.getByRole('button', { name: 'Token erstellen' }).click();
    const row = page.locator('#tokens-list li').first();
    await row.waitFor();
    // A date as German writes it (30.11.2026), never "never".
    expect(await row.locator('.muted').textContent()).to.match(
      /läuft ab: \d{2}\.\d{2}\.\d{4} · zuletzt benutzt: nie$/,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/page-de-chat.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: `${ARTIFACTS}/page-de-chat-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1000, height: 800 });

    await page.goto(t.url + '/device');
    expect(await page.locator('#device-form h2').textContent()).to.equal('Ein Terminal anmelden');
    await page.locator('#device-code').fill('BCDF-GHJK');
    await page.getByRole('button', { name: 'Weiter' }).click();
    const error = page.locator('#device-form .error');
    await error.filter({ hasText: /./ }).waitFor();
    expect(await error.textContent()).to.equal(german.device.notWaiting);
    await page.screenshot({ path: `${ARTIFACTS}/page-de-device.png`, fullPage: true });
    // Refused requests are logged by Chromium itself ("Failed to load resource"); nothing else may
    // be: a CSP refusal of the data block or a script error would show here.
    expect(consoleErrors.filter((e) => !e.includes('Failed to load resource'))).to.deep.equal([]);
  });
});
