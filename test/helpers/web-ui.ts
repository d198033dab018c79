import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { tokenPath } from '../../lib/codec/token.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/**
 * The visible text of the page and of each of its frames: the UI renders Markdown summaries and
 * details in sandboxed iframes, which the page's own text leaves out.
 */
export async function frameTexts(page: Page): Promise<string[]> {
  return Promise.all(page.frames().map((frame) => frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')));
}

/** Waits until the page, or one of its frames, shows `text`; screenshots a miss. */
export async function visibleText(page: Page, text: string): Promise<void> {
  // Long hashes wrap inside code blocks; compare without whitespace.
  const squeezed = text.replace(/\s+/g, '');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const seen of await frameTexts(page)) if (seen.replace(/\s+/g, '').includes(squeezed)) return;
    await page.waitForTimeout(250);
  }
  await page.screenshot({ path: join(tmpdir(), 'respond-ui-miss.png') });
  throw new Error(`the page never showed "${text}"`);
}

/**
 * A browser context that does what an operator does once for an encrypted installation: sign in
 * to respond's codec server with its token (a cookie), then set the UI's Codec Server settings to
 * that endpoint with cross-origin credentials. Without `token` only the settings are made.
 */
export async function codecContext(browser: Browser, urls: { ui: string; codec: string }, token?: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  if (token) {
    await page.goto(`${urls.codec}/login`);
    await page.fill('input[name=token]', token);
    await page.click('button[type=submit]');
    await page.getByText('signed in').waitFor();
  }
  await page.goto(urls.ui);
  await page.evaluate((endpoint) => {
    localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
    localStorage.setItem('endpoint', JSON.stringify(endpoint));
    localStorage.setItem('includeCredentials', 'true');
    localStorage.setItem('passAccessToken', 'false');
  }, urls.codec);
  await page.close();
  return context;
}

export function sandboxUrls(env: Record<string, string>): { ui: string; codec: string } {
  return { ui: `http://127.0.0.1:${env.RESPOND_UI_PORT}`, codec: `http://127.0.0.1:${env.RESPOND_CODEC_SERVER_PORT}` };
}

/** The signed-in context for a sandbox's embedded UI: waits for the codec server's token (written when it starts). */
export async function sandboxCodecContext(browser: Browser, s: { env: Record<string, string>; config: { stateDir: string }; waitFor: <T>(what: string, probe: () => T | undefined) => Promise<T> }): Promise<BrowserContext> {
  const file = tokenPath(s.config.stateDir);
  await s.waitFor('the codec server token', () => existsSync(file) || undefined);
  return codecContext(browser, sandboxUrls(s.env), readFileSync(file, 'utf8').trim());
}
