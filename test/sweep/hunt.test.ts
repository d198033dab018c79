// Exact hunting: every encoded form of a value is found through the real rg, wherever the value
// sits in a larger encoded blob, and nothing else is.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSweep } from '../../activities/sweep/engine.js';
import { localTransport } from '../../activities/sweep/transport.js';
import { huntVariants } from '../../lib/sweep/hunt.js';

const EMPTY_RULES = { rules: [], allowlists: [], warnings: [] };

describe('exact hunt', () => {
  it('finds raw, base64 at every alignment, base64url, URL-encoded, JSON-escaped and hex copies', async () => {
    // A value with characters that change under each encoding.
    const value = `${randomBytes(12).toString('base64url')}/+ é&${randomBytes(6).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'respond-hunt-'));
    const files: Record<string, string> = {
      'raw.txt': `token=${value}\n`,
      // A lone carriage return inside the line (progress output in logs) must not split it.
      'cr.log': `progress 10%\rprogress 100% token=${value}\n`,
      'b64-0.txt': `Authorization: Basic ${Buffer.from(value).toString('base64')}\n`,
      'b64-1.txt': `blob ${Buffer.from(`a${value}tail`).toString('base64')}\n`,
      'b64-2.txt': `blob ${Buffer.from(`ab${value}tail-more`).toString('base64')}\n`,
      'b64url.txt': `jwt-ish ${Buffer.from(`xyz${value}`).toString('base64url')}\n`,
      'url.txt': `GET /cb?gatewayUrl=ws%3A%2F%2Fh&token=${encodeURIComponent(value)} HTTP/1.1\n`,
      'json.json': `${JSON.stringify({ text: `token: ${value}` }).replace(/\//g, '\\/')}\n`,
      'hex.txt': `dump ${Buffer.from(value).toString('hex')}\n`,
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'clean.txt'), `token=${value.slice(0, 10)}\n${Buffer.from(randomBytes(64)).toString('base64')}\n`);
    const r = await runSweep(localTransport(), { roots: [dir], rules: EMPTY_RULES, hunts: [{ ref: 'env:OLD', value }] });
    const byFile = new Map(r.findings.map((f) => [f.path.split('/').pop(), f.encoding]));
    expect([...byFile.keys()].sort()).toEqual(Object.keys(files).sort());
    expect(byFile.get('raw.txt')).toBe('raw');
    expect(byFile.get('b64-1.txt')).toBe('base64');
    // Where the fragment holds no + or /, base64url and base64 are the same text.
    expect(['base64url', 'base64']).toContain(byFile.get('b64url.txt'));
    expect(byFile.get('url.txt')).toBe('url-encoded');
    expect(byFile.get('json.json')).toBe('json-escaped');
    expect(byFile.get('hex.txt')).toBe('hex');
    for (const f of r.findings) expect(JSON.stringify(f).includes(value)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('hunts a multi-line value (a PEM key) line by line, and never hands rg a newline', () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END PRIVATE KEY-----`;
    const v = huntVariants([{ ref: 'file:/k.pem', value: pem }]);
    expect(v.some((x) => x.encoding === 'raw-line' && pem.includes(x.literal) && x.literal.length === 64)).toBe(true);
    for (const x of v) expect(/[\r\n]/.test(x.literal)).toBe(false);
  });
});
