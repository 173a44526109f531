import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { CATALOGS } from '../../i18n/index.js';
import { collectPageErrors, useChromium } from '../helpers/chromium.js';
import { useServer, type ServerFixture } from '../helpers/fixture.js';

const ARTIFACTS = 'test-artifacts';
type Texts = Record<string, string>;
const english = (CATALOGS.en.page as { mailLanguage: Texts }).mailLanguage;
const german = (CATALOGS.de.page as { mailLanguage: Texts }).mailLanguage;
const germanErrors = (CATALOGS.de.common as { errors: Texts }).errors;

/**
 * The page's "Language of mails" panel in Chromium, under the page's CSP: it shows the stored
 * language (GET /api/me), saves a choice with PATCH /api/me, says so, and shows a refusal as the
 * other panels do - in the browser's language, English and German.
 */
describe('browser page: the language of mails', function () {
  this.timeout(90_000);
  const chromium = useChromium();
  before(() => mkdirSync(ARTIFACTS, { recursive: true }));
  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  /** A fresh account signed in on a page of the given browser locale, with the panel open. */
  async function signedInPage(locale: string, prefix: string) {
    const me = await t.loggedInPerson(prefix);
    const context: BrowserContext = await chromium.browser.newContext({
      locale,
      viewport: { width: 1000, height: 900 },
    });
    const page: Page = await context.newPage();
    const errors: string[] = [];
    collectPageErrors(page, errors);
    await page.goto(t.url + '/');
    await page.fill('#login-username', me.username);
    await page.fill('#login-password', me.password);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    await page.click('#mail-language summary');
    return { me, page, errors, context };
  }

  const storedLocale = async (server: ServerFixture, token: string) => {
    const res = await server.as(token)('GET', '/api/me');
    expect(res.status).to.equal(200);
    return res.body.user.locale;
  };

  /** A value no option offers, as a tampered page would send it: the server is the judge. */
  async function offerFrench(page: Page) {
    await page.evaluate(`
      const option = document.createElement('option');
      option.value = 'fr';
      option.textContent = 'Français';
      document.querySelector('#mail-language-choice').append(option);
    `);
    await page.selectOption('#mail-language-choice', 'fr');
  }

  it('shows the stored language, saves a choice, and reads a change made elsewhere (English)', async () => {
    const { me, page, errors, context } = await signedInPage('en-US', 'pagelang');
    const choice = page.locator('#mail-language-choice');
    const notice = page.locator('#mail-language-form .notice');
    const save = page.locator('#mail-language-form button[type="submit"]');
    expect(await page.textContent('#mail-language summary')).to.equal('Language of mails');
    // None stored yet (the test's signup sent no language mux1 speaks): "Default (English)".
    expect(await storedLocale(t, me.token)).to.equal(null);
    expect(await choice.inputValue()).to.equal('default');
    expect(await page.locator('#mail-language-choice option').allTextContents()).to.deep.equal([
      'English',
      'Deutsch',
      'Default (English)',
    ]);
    expect(await page.getByLabel('Language', { exact: true }).count()).to.equal(1);

    await choice.selectOption('de');
    await save.click();
    await notice.filter({ hasText: english.savedGerman! }).waitFor();
    expect(await storedLocale(t, me.token)).to.equal('de');
    await page.screenshot({ path: `${ARTIFACTS}/langsetting-en.png`, fullPage: true });

    // Changed elsewhere (the CLI, another tab): opening the panel again reads the stored one.
    expect((await t.as(me.token)('PATCH', '/api/me', { locale: 'en' })).status).to.equal(200);
    await page.click('#mail-language summary');
    await page.click('#mail-language summary');
    // (Polled from here: the page's CSP forbids the string evaluation waitForFunction would use.)
    for (let tries = 0; (await choice.inputValue()) !== 'en'; tries++) {
      expect(tries, 'the panel shows the language stored meanwhile').to.be.below(50);
      await page.waitForTimeout(100);
    }

    await choice.selectOption('default');
    await save.click();
    await notice.filter({ hasText: english.savedDefault! }).waitFor();
    expect(await storedLocale(t, me.token)).to.equal(null);

    // A refusal is said under the form, the choice marked; nothing changes.
    await offerFrench(page);
    await save.click();
    const error = page.locator('#mail-language-form .error');
    await error.filter({ hasText: /locale/ }).waitFor();
    expect(await notice.textContent()).to.equal('');
    expect(await choice.getAttribute('aria-invalid')).to.equal('true');
    expect(await storedLocale(t, me.token)).to.equal(null);
    await page.screenshot({ path: `${ARTIFACTS}/langsetting-en-refused.png`, fullPage: true });

    // A good choice afterwards clears the refusal.
    await choice.selectOption('en');
    await save.click();
    await notice.filter({ hasText: english.savedEnglish! }).waitFor();
    expect(await error.textContent()).to.equal('');
    expect(await choice.getAttribute('aria-invalid')).to.equal(null);
    expect(await storedLocale(t, me.token)).to.equal('en');

    expect(errors.filter((e) => !e.includes('Failed to load resource'))).to.deep.equal([]);
    await context.close();
  });

  it('speaks German in a German browser, and says a refusal in German', async () => {
    const { me, page, errors, context } = await signedInPage('de-DE', 'pagelangde');
    const choice = page.locator('#mail-language-choice');
    const notice = page.locator('#mail-language-form .notice');
    const save = page.locator('#mail-language-form').getByRole('button', { name: 'Speichern' });
    expect(await page.textContent('#mail-language summary')).to.equal(german.title);
    expect(await page.locator('#mail-language-choice option').allTextContents()).to.deep.equal([
      'English',
      'Deutsch',
      'Standard (Englisch)',
    ]);
    await page.getByLabel('Sprache', { exact: true }).selectOption('de');
    await save.click();
    await notice.filter({ hasText: german.savedGerman! }).waitFor();
    expect(await storedLocale(t, me.token)).to.equal('de');
    expect(await choice.inputValue()).to.equal('de');
    await page.screenshot({ path: `${ARTIFACTS}/langsetting-de.png`, fullPage: true });

    await offerFrench(page);
    await save.click();
    await page
      .locator('#mail-language-form .error')
      .filter({ hasText: germanErrors.invalid_field! })
      .waitFor();
    expect(await storedLocale(t, me.token)).to.equal('de');
    await page.screenshot({ path: `${ARTIFACTS}/langsetting-de-refused.png`, fullPage: true });
    expect(errors.filter((e) => !e.includes('Failed to load resource'))).to.deep.equal([]);
    await context.close();
  });

  it('keeps a choice made while the stored language is still being read', async () => {
    const { me, page, errors, context } = await signedInPage('en-US', 'pagelangslow');
    const choice = page.locator('#mail-language-choice');
    const notice = page.locator('#mail-language-form .notice');
    // Opened again on a slow network: the stored language (none) is read at once but answered
    // late, after the person has chosen and saved.
    await page.click('#mail-language summary');
    let answered!: () => void;
    const lateAnswer = new Promise<void>((resolve) => (answered = resolve));
    await page.route('**/api/me', async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.fulfill({ response });
      answered();
    });
    await page.click('#mail-language summary');
    await choice.selectOption('de');
    await page.locator('#mail-language-form button[type="submit"]').click();
    await notice.filter({ hasText: english.savedGerman! }).waitFor();
    await lateAnswer;
    await page.waitForTimeout(200);
    expect(await choice.inputValue(), 'the late answer did not put the old language back').to.equal('de');
    expect(await notice.textContent()).to.equal(english.savedGerman);
    expect(await storedLocale(t, me.token)).to.equal('de');
    await page.locator('#mail-language').screenshot({ path: `${ARTIFACTS}/langsetting-slow-network.png` });
    expect(errors.filter((e) => !e.includes('Failed to load resource'))).to.deep.equal([]);
    await context.close();
  });
});
