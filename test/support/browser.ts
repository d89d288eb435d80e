// Debian's Chromium, driven by playwright-core, as the browser tests use it: headless, nothing
// fetched from the network, and a page that trusts the test CA's certificates.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why a browser test cannot run here, or false. */
export const noBrowser = (): string | false => (existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM} (apt-get install chromium)`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
}

/** A page of a fresh context (its own session storage) that accepts the test controllers' certificates. */
export async function newTestPage(browser: Browser, timeoutMs = 15_000): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  return page;
}
