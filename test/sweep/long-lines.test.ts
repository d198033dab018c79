// Minified bundles and source maps: megabyte-long lines with non-ASCII text. The detector sees
// windows around rg's matches, so findings there must keep their exact byte column, secret and
// a clipped, masked context, and a second secret on the same line is found in its own window.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSweep } from '../../activities/sweep/engine.js';
import { localTransport } from '../../activities/sweep/transport.js';
import { matchWindows, WINDOW_AFTER, WINDOW_BEFORE } from '../../lib/sweep/rg.js';
import { loadRules } from '../../lib/sweep/rules/load.js';
import { fingerprint } from '../../lib/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'respond-long-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const filler = (n: number) => 'var ä="ü€";function f(a){return a.map(x=>x+1)};'.repeat(Math.ceil(n / 48)).slice(0, n);

describe('long lines', () => {
  it('finds secrets deep inside a 2 MB line with non-ASCII text, at their byte column', async () => {
    const gw = randomBytes(24).toString('hex');
    const ghp = `ghp_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'a').slice(0, 36)}`;
    const head = `${filler(1_000_000)}process.env.OPENCLAW_GATEWAY_TOKEN="${gw}";`;
    const line = `${head}${filler(1_000_000)}const t="${ghp}";${filler(5000)}`;
    writeFileSync(join(dir, 'bundle.min.js'), `// header\n${line}\n`);
    const r = await runSweep(localTransport(), { roots: [dir], rules: loadRules() });
    const byRule = new Map(r.findings.map((f) => [f.ruleId, f]));
    const env = byRule.get('openclaw-env-var')!;
    expect(env.fingerprint).toBe(fingerprint(gw));
    expect(env.line).toBe(2);
    expect(env.column).toBe(Buffer.byteLength(head) - gw.length - 1);
    expect(env.context.startsWith('…')).toBe(true);
    expect(env.context.endsWith('…')).toBe(true);
    expect(env.context).toContain('OPENCLAW_GATEWAY_TOKEN=');
    const gh = byRule.get('github-token')!;
    expect(gh.fingerprint).toBe(fingerprint(ghp));
    expect(gh.column).toBe(Buffer.byteLength(`${head}${filler(1_000_000)}const t="`) + 1);
    const all = JSON.stringify(r);
    expect(all).not.toContain(gw);
    expect(all).not.toContain(ghp);
  });

  it('merges windows that overlap and cuts them on character boundaries', () => {
    const text = `${'é'.repeat(2000)}KEY${'x'.repeat(10)}KEY${'é'.repeat(2000)}`;
    const bytes = Buffer.from(`${text}\n`);
    const first = Buffer.byteLength('é'.repeat(2000));
    const ws = matchWindows('/f', 7, bytes, [
      { start: first, end: first + 3 },
      { start: first + 13, end: first + 16 },
    ]);
    expect(ws).toHaveLength(1);
    const w = ws[0]!;
    expect(w.text).not.toContain('\uFFFD');
    expect(w.byteOffset).toBeGreaterThanOrEqual(first - WINDOW_BEFORE - 1);
    expect(w.byteOffset! % 2).toBe(0);
    expect(Buffer.byteLength(w.text)).toBeLessThanOrEqual(WINDOW_BEFORE + 16 + WINDOW_AFTER + 2);
    expect(w.clippedLeft && w.clippedRight).toBe(true);
    // Far apart: two windows; a short line: one window, not clipped, without its newline.
    expect(matchWindows('/f', 1, Buffer.from(`a${'b'.repeat(5000)}c\n`), [{ start: 0, end: 1 }, { start: 5001, end: 5002 }])).toHaveLength(2);
    const short = matchWindows('/f', 1, Buffer.from('token=abc\r\n'), [{ start: 0, end: 5 }]);
    expect(short).toEqual([{ path: '/f', line: 1, text: 'token=abc', byteOffset: 0, clippedLeft: false, clippedRight: false }]);
  });
});
