import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, with nothing that phones home (this machine has no internet).
 * Playwright gives each launch a fresh temporary profile.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
