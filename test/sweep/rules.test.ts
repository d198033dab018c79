// Every default rule ships true and false samples; this runs them through the real rg (so the
// pattern works in the engine) and through the detector (so keywords, entropy, allowlists and
// path scope behave as the samples claim).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rgPath } from '@vscode/ripgrep';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { Detector } from '../../lib/sweep/detector.js';
import { loadDefaultRules } from '../../lib/sweep/rules/load.js';

const rules = loadDefaultRules();
const detector = new Detector(rules);

describe('default rules', () => {
  it('every rule has samples and a family', () => {
    const withSamples = new Set(rules.samples.map((s) => s.ruleId));
    expect(rules.rules.length).toBeGreaterThanOrEqual(29);
    for (const r of rules.rules) {
      expect(withSamples.has(r.id), `${r.id} has samples`).toBe(true);
      expect(r.family).not.toBe('custom');
    }
    expect(rules.warnings).toEqual([]);
  });

  for (const s of rules.samples) {
    it(`${s.ruleId}: positives are found, negatives are not`, () => {
      for (const line of s.positive) {
        const ids = detector.detect({ path: s.path, line: 1, text: line }).map((d) => d.ruleId);
        expect(ids, `positive: ${line}`).toContain(s.ruleId);
      }
      for (const line of s.negative) {
        const ids = detector.detect({ path: s.path, line: 1, text: line }).map((d) => d.ruleId);
        expect(ids, `negative: ${line}`).not.toContain(s.ruleId);
      }
    });
  }

  it('rg 15 compiles every pattern and matches every positive sample line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respond-rules-'));
    const positives = rules.samples.flatMap((s) => s.positive);
    writeFileSync(join(dir, 'samples.txt'), `${positives.join('\n')}\n`);
    for (const r of rules.rules) {
      const one = await execa(rgPath, ['--no-config', '-c', '-e', r.pattern, join(dir, 'samples.txt')], { reject: false });
      expect(one.exitCode, `${r.id}: ${one.stderr}`).toBe(0);
    }
    const all = await execa(rgPath, ['--no-config', '--json', '--file', '-', join(dir, 'samples.txt')], {
      input: rules.rules.map((r) => r.pattern).join('\n'),
    });
    const matched = new Set(
      all.stdout
        .split('\n')
        .filter((l) => l.includes('"type":"match"'))
        .map((l) => JSON.parse(l).data.line_number as number),
    );
    expect(matched.size).toBe(positives.length);
  });
});
