// Scrub on a real openclaw state dir: quarantine with a manifest, then redact in place; nothing
// the user owns is lost, the CLI still reads its config, and a second run changes nothing.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import JSON5 from 'json5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScrub } from '../../activities/sweep/scrub.js';
import { runSweep } from '../../activities/sweep/engine.js';
import { localTransport } from '../../activities/sweep/transport.js';
import { HUNT_RULE_ID } from '../../lib/sweep/detector.js';
import { loadRules } from '../../lib/sweep/rules/load.js';
import { ensureOpenClaw, makeOpenClawFixture, type OpenClawFixture } from './helpers/openclaw.js';

let root: string;
let fx: OpenClawFixture;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'respond-scrub-'));
  fx = await makeOpenClawFixture(root);
});

afterAll(() => {
  // The fixture holds (test-generated) secrets: leave nothing behind.
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('scrub', () => {
  it('quarantines each file holding the rotated token, then redacts every encoding in place', async () => {
    const t = localTransport({ env: { HOME: fx.home } });
    const rules = loadRules();
    const hunts = [{ ref: 'env:OLD_GW', value: fx.oldToken }];
    const sweep = await runSweep(t, { rules, hunts });
    const paths = [...new Set(sweep.findings.filter((f) => f.ruleId === HUNT_RULE_ID).map((f) => f.path))];
    expect(paths.sort()).toEqual(fx.filesWithOldToken().sort());
    const before = new Map(paths.map((p) => [p, { bytes: readFileSync(p), mode: statSync(p).mode & 0o777 }]));

    const base = join(root, 'quarantine');
    const res = await runScrub(t, { paths, hunts, quarantineBase: base, label: 'INC-7.scrub' });
    expect(res.scrubbed.map((e) => e.path).sort()).toEqual(paths.sort());
    expect(statSync(base).mode & 0o777).toBe(0o700);
    expect(statSync(res.quarantineDir).mode & 0o777).toBe(0o700);
    const manifest = JSON.parse(readFileSync(res.manifest, 'utf8'));
    expect(statSync(res.manifest).mode & 0o777).toBe(0o600);
    expect(manifest.entries).toHaveLength(paths.length);
    for (const e of manifest.entries) {
      const orig = before.get(e.path)!;
      // The quarantined copy is the original, byte for byte, and the manifest says so.
      expect(sha(readFileSync(e.quarantinedAs))).toBe(sha(orig.bytes));
      expect(e.sha256).toBe(sha(orig.bytes));
      expect(parseInt(e.mode, 8)).toBe(orig.mode);
      expect(statSync(e.path).mode & 0o777).toBe(orig.mode);
      expect(e.uid).toBe(statSync(e.path).uid);
      const now = readFileSync(e.path, 'utf8');
      expect(now.includes(fx.oldToken)).toBe(false);
      expect(now).toContain('[REDACTED sha256:');
      expect(e.sha256After).toBe(sha(readFileSync(e.path)));
    }
    // The config backups are still valid JSON5 and the live config still holds the new token.
    for (const p of paths.filter((x) => /openclaw\.json/.test(x))) expect(() => JSON5.parse(readFileSync(p, 'utf8'))).not.toThrow();
    expect(readFileSync(join(fx.stateDir, 'openclaw.json'), 'utf8')).toContain(fx.newToken);

    // Proof the old value is gone from live files: the hunt finds nothing outside the quarantine.
    const again = await runSweep(t, { rules, hunts });
    expect(again.findings.filter((f) => f.ruleId === HUNT_RULE_ID)).toEqual([]);

    // A second run (an activity retry) touches nothing and keeps the manifest.
    const retry = await runScrub(t, { paths, hunts, quarantineBase: base, label: 'INC-7.scrub' });
    expect(retry.scrubbed).toEqual([]);
    expect(retry.untouched.map((u) => u.path).sort()).toEqual(paths.sort());
    expect(JSON.parse(readFileSync(res.manifest, 'utf8')).entries).toHaveLength(paths.length);

    // And the real openclaw CLI still reads its config after the scrub.
    const { bin, pathDir } = await ensureOpenClaw();
    const got = await execa(bin, ['config', 'get', 'gateway.port'], {
      env: { PATH: `${pathDir}:${process.env.PATH}`, HOME: fx.home, OPENCLAW_STATE_DIR: fx.stateDir, TMPDIR: join(root, 'tmp'), OPENCLAW_DISABLE_BONJOUR: '1' },
      extendEnv: false,
    });
    expect(got.stdout).toContain('18789');
    expect(dirname(res.manifest)).toBe(res.quarantineDir);
  });
});
