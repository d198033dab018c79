import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

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
