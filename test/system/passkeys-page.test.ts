import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { auditTypes } from '../helpers/accounts.js';
import { collectPageErrors, useChromium } from '../helpers/chromium.js';
import { useServer } from '../helpers/fixture.js';

const ARTIFACTS = 'test-artifacts';

/*
 * The page in Chromium, under its CSP, with Chromium's own virtual authenticator (CDP WebAuthn):
 * a platform authenticator that keeps discoverable credentials and verifies the user, as a
 * laptop's fingerprint reader does. The page is opened at localhost (WebAuthn takes no IP address
 * as a site's name), which is the RP id a server without PUBLIC_URL uses.
 */
describe('browser page: passkeys', function () {
  this.timeout(90_000);
  const chromium = useChromium();
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    context = await chromium.browser.newContext({ viewport: { width: 1000, height: 1100 } });
    page = await context.newPage();
    collectPageErrors(page, errors);
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
  });
  const t = useServer({ mail: true });

  const origin = () => t.url.replace('127.0.0.1', 'localhost');
  const credentials = async () =>
    (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;

  /** Opens the settings' Passkeys panel (a click on an open one would close it). */
  async function openPasskeys() {
    if ((await page.locator('#passkeys').getAttribute('open')) === null) {
      await page.click('#passkeys summary');
    }
  }

  async function logOut() {
    await page.click('#logout');
    await page.waitForSelector('#account:not([hidden])');
  }

  it('registers a passkey in the settings, signs in with it with no name typed, renames and removes it', async () => {
    const p = await t.chatPerson('pkpage');
    await page.goto(origin() + '/');
    await page.waitForSelector('#passkey-signin:not([hidden])');
    await page.locator('#login-form').screenshot({ path: `${ARTIFACTS}/browser-passkey-login-card.png` });

    await page.fill('#login-username', p.username);
    await page.fill('#login-password', p.password);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#chat:not([hidden])');
    await openPasskeys();
    await page.waitForSelector('#passkeys-empty:not([hidden])');
    await page.fill('#passkey-name', 'this laptop');
    await page.click('#passkey-add-form button[type="submit"]');
    const row = page.locator('#passkeys-list li').filter({ hasText: 'this laptop' });
    await row.waitFor();
    expect(await page.textContent('#passkeys-notice')).to.include('this laptop');
    const held = await credentials();
    expect(held, 'the authenticator holds one discoverable passkey').to.have.length(1);
    expect(held[0]!.isResidentCredential).to.equal(true);
    expect(held[0]!.rpId).to.equal('localhost');
    const mail = await t.mail.waitFor((m) => m.to === p.email && m.subject.includes('passkey'));
    expect(mail.text).to.include('"this laptop"');

    // Made on the same authenticator again: the browser says it holds one already.
    await page.click('#passkey-add-form button[type="submit"]');
    await page
      .locator('#passkey-add-form .error')
      .filter({ hasText: /already holds/ })
      .waitFor();
    expect(await credentials()).to.have.length(1);
    await page.locator('#passkeys').screenshot({ path: `${ARTIFACTS}/browser-passkeys-settings.png` });

    await logOut();
    await page.click('#passkey-signin-button');
    await page.waitForSelector('#chat:not([hidden])');
    expect(await page.textContent('#whoami')).to.equal(`Signed in as ${p.username}`);
    expect(await auditTypes(t, p.id)).to.include('passkey_login');
    const stored = await t.db('passkeys').where({ user_id: p.id }).first();
    expect(Number(stored.last_used_at), 'the sign-in is noted').to.be.greaterThan(0);

    // Renamed in place; a name that would be markup if the page inserted it as HTML.
    await openPasskeys();
    await row.waitFor();
    expect(await page.textContent('#passkey-add-form .error'), 'the last session’s error is gone').to.equal(
      '',
    );
    await row.locator('button.rename').click();
    await row.locator('.passkey-rename input').fill('<img src=x id=pwned>');
    await row.locator('.passkey-rename button[type="submit"]').click();
    const renamed = page.locator('#passkeys-list li').filter({ hasText: '<img src=x id=pwned>' });
    await renamed.waitFor();
    expect(await page.locator('#pwned').count(), 'names are text, never markup').to.equal(0);
    await page.locator('#passkeys').screenshot({ path: `${ARTIFACTS}/browser-passkeys-renamed.png` });

    // Removed after a second click; the authenticator still holds it, and it signs in no more.
    await renamed.locator('button.remove').click();
    await renamed.locator('button.keep').click();
    expect(await page.locator('#passkeys-list li').count(), 'kept').to.equal(1);
    await renamed.locator('button.remove').click();
    await renamed.locator('button.remove').click();
    await renamed.waitFor({ state: 'detached' });
    await page.waitForSelector('#passkeys-empty:not([hidden])');
    expect(await t.db('passkeys').where({ user_id: p.id })).to.deep.equal([]);

    await logOut();
    await page.click('#passkey-signin-button');
    await page
      .locator('#login-form .error')
      .filter({ hasText: /does not sign in here/ })
      .waitFor();
    expect(await page.isHidden('#chat')).to.equal(true);
    await page.locator('#login-form').screenshot({ path: `${ARTIFACTS}/browser-passkey-refused.png` });
    expect(errors.filter((e) => !/40[01]|Unauthorized|Bad Request/.test(e))).to.deep.equal([]);
  });
});
