import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium, as every page test drives it: never a downloaded browser, no sandbox (CI runs
 * as root), no GPU and no background traffic (the machine reaches only the package mirrors).
 */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/**
 * Chromium for a suite: launched before its tests, closed after them. Declare it before the suite's
 * server (`useServer`, or the hook that closes the servers it starts): mocha runs after-all hooks
 * in the order they are declared, and a page still connected - and reconnecting - holds the
 * server's close (an after-all hook that closed the server first once ran out its 60 s in CI).
 */
export function useChromium(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser)
        throw new Error('Chromium is launched in a before-all hook: use it from a test or a later hook');
      return browser;
    },
  };
}

/** Collects the page's console errors and uncaught exceptions into `errors`, for a test to assert empty. */
export function collectPageErrors(page: Page, errors: string[]): void {
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
}
