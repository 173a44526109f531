import type { Page } from 'playwright-core';
import type { TestProvider } from './oidc-provider.js';

/**
 * Does `act` (which sends the browser to the provider), then goes through the test provider's own
 * pages (login, consent) until the browser is back where `back` says (by default: anywhere off the
 * provider). The main frame's navigations are followed one by one, since a provider that
 * remembers the person redirects straight back without a page.
 */
export async function throughProvider(
  page: Page,
  idp: TestProvider,
  login: string,
  act: () => Promise<unknown>,
  back: (url: string) => boolean = (url) => !url.startsWith(idp.issuer),
): Promise<string> {
  const next = () =>
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 20_000 });
  let navigated = next();
  await act();
  for (let step = 0; step < 6; step++) {
    const url = (await navigated).url();
    if (back(url)) return url;
    if (!url.startsWith(idp.issuer)) {
      navigated = next();
      continue;
    }
    await page.locator('button[type="submit"]').waitFor();
    if (await page.locator('input[name="login"]').count()) {
      await page.fill('input[name="login"]', login);
      await page.fill('input[name="password"]', 'any password');
    }
    navigated = next();
    await page.click('button[type="submit"]');
  }
  throw new Error('the provider did not send the browser back');
}
