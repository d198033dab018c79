/**
 * The skills allowlist and load roots as pure rules: the allowlist's file format and its errors,
 * how a skill is judged, which roots each release loads, and a directory hash that depends on
 * contents only. The real hosts are exercised in memory-restore.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifySkill, loadAllowlist, parseAllowlist } from '../../lib/skills/allowlist.js';
import { skillDirHash } from '../../lib/skills/hash.js';
import { skillRoots } from '../../lib/skills/locations.js';

const H = (c: string) => c.repeat(64);

describe('skills allowlist', () => {
  const list = parseAllowlist(`allowed_skills:\n  - { name: weather, version: 1.2.0, sha256: ${H('a')} }\n  - name: notes\nblocked_patterns: ["*wallet*", "solana-?"]\n`, 'a.yaml');

  it('judges by name, version and hash; a blocked pattern wins', () => {
    expect(classifySkill({ name: 'weather', version: '1.2.0', sha256: H('a') }, list).status).toBe('allowed');
    expect(classifySkill({ name: 'weather', version: '1.2.0', sha256: H('b') }, list)).toMatchObject({ status: 'hash-mismatch', reason: expect.stringContaining('bbbbbbbbbbbbbbbb is not the allowed aaaaaaaaaaaaaaaa') });
    expect(classifySkill({ name: 'weather', version: '1.3.0', sha256: H('a') }, list)).toMatchObject({ status: 'hash-mismatch', reason: 'version 1.3.0 is not the allowed 1.2.0' });
    expect(classifySkill({ name: 'notes', sha256: H('c') }, list)).toMatchObject({ status: 'allowed', reason: 'name on the allowlist (no hash pinned)' });
    expect(classifySkill({ name: 'crypto-Wallet-sync', sha256: H('c') }, list)).toMatchObject({ status: 'blocked', reason: 'name matches blocked pattern "*wallet*"' });
    expect(classifySkill({ name: 'solana-x', sha256: H('c') }, list).status).toBe('blocked');
    expect(classifySkill({ name: 'solana-xy', sha256: H('c') }, list).status).toBe('unlisted');
    expect(classifySkill({ name: 'weather.', sha256: H('a') }, list).status).toBe('unlisted');
  });

  it('bad files fail in one line naming file, line and field', () => {
    expect(() => parseAllowlist('allowed_skills:\n  - name: x\n    sha: abc\n', 'b.yaml')).toThrow(/^b\.yaml:3: allowed_skills\[0\]\.sha: unknown field "sha"$/);
    expect(() => parseAllowlist('allowed_skills:\n  - name: x\n    sha256: abc\n', 'c.yaml')).toThrow(/^c\.yaml:3: allowed_skills\[0\]\.sha256: a sha256 is 64 hex digits/);
    expect(() => parseAllowlist('allowed_skills: [\n', 'd.yaml')).toThrow(/^d\.yaml:\d+:\d+: invalid YAML/);
    const dir = mkdtempSync(join(tmpdir(), 'respond-allow-'));
    expect(() => loadAllowlist(join(dir, 'missing.yaml'))).toThrow(/skills allowlist .*missing\.yaml: no such file/);
    writeFileSync(join(dir, 'ok.yaml'), 'blocked_patterns: ["x*"]\n');
    expect(loadAllowlist(join(dir, 'ok.yaml'))).toEqual({ allowed_skills: [], blocked_patterns: ['x*'] });
  });
});

describe('skill load roots', () => {
  const base = { workspaces: [{ agent: 'main', workspace: '/w' }], stateDir: '/s', home: '/h', agentIds: ['main'], extraDirs: ['/x'] };

  it('2026.1.x loads workspace, managed and extra roots; the .agents roots are listed but not loaded', () => {
    const roots = skillRoots({ ...base, version: '2026.1.29', defaultState: true });
    expect(roots.filter((r) => r.loaded).map((r) => r.dir)).toEqual(['/w/skills', '/s/skills', '/x']);
    expect(roots.filter((r) => !r.loaded).map((r) => r.dir)).toEqual(['/w/.agents/skills', '/h/.agents/skills', '/s/agents/main/agent/workshop-skills']);
  });

  it('later releases load in the documented precedence; ~/.agents/skills only with the default state dir', () => {
    const roots = skillRoots({ ...base, version: '2026.9.6', defaultState: false });
    expect(roots.map((r) => [r.dir, r.source, r.loaded])).toEqual([
      ['/w/skills', 'openclaw-workspace', true],
      ['/w/.agents/skills', 'agents-skills-project', true],
      ['/h/.agents/skills', 'agents-skills-personal', false],
      ['/s/skills', 'openclaw-managed', true],
      ['/s/agents/main/agent/workshop-skills', 'openclaw-workshop', true],
      ['/x', 'openclaw-extra', true],
    ]);
    expect(skillRoots({ ...base, version: '2026.9.6', defaultState: true }).find((r) => r.source === 'agents-skills-personal')!.loaded).toBe(true);
  });
});

describe('skill directory hash', () => {
  const entries = [
    { path: 'SKILL.md', kind: 'f' as const, sha256: H('1') },
    { path: 'scripts/run.sh', kind: 'x' as const, sha256: H('2') },
  ];
  it('depends on paths, contents and the executable bit, not on listing order', () => {
    const h = skillDirHash(entries);
    expect(skillDirHash([...entries].reverse())).toBe(h);
    expect(skillDirHash([entries[0]!, { ...entries[1]!, kind: 'f' }])).not.toBe(h);
    expect(skillDirHash([entries[0]!, { ...entries[1]!, sha256: H('3') }])).not.toBe(h);
    expect(skillDirHash([entries[0]!, { ...entries[1]!, path: 'scripts/run2.sh' }])).not.toBe(h);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
  });
});
