import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium, as every page test drives it: never a downloaded browser, no sandbox (CI runs
 * as root), no GPU and no background traffic (the machine reaches only the package mirrors).
 */
export function launchChromium(): Promise<Browser> {
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

/** Collects the page's console errors and uncaught exceptions into `errors`, for a test to assert empty. */
export function collectPageErrors(page: Page, errors: string[]): void {
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
}
