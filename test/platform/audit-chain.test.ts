import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEvent } from '../../activities/audit/audit-log.js';
import { GENESIS, lineHash, verifyChain } from '../../lib/audit-chain.js';
import { execa } from 'execa';
import { ROOT, Sandbox } from '../helpers/sandbox.js';

const event = (id: string): AuditEvent => ({ id, event: 'step.completed', runbook: 'r', actor: 'respond', ts: '2026-12-03T00:00:00Z', workflowId: 'w' });

/** What a careful attacker does after editing: every prev recomputed so the chain alone looks intact. */
function rechain(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const { prev: _old, ...rest } = JSON.parse(line) as Record<string, unknown>;
    out.push(JSON.stringify({ ...rest, prev: out.length ? lineHash(out.at(-1)!) : GENESIS }));
  }
  return out;
}

describe('hash-chained audit log', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'respond-chain-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('two writers on one file keep one chain; a retried append gets the anchor of the line already written', async () => {
    const path = join(dir, 'audit.jsonl');
    const a = new AuditLog(path);
    const b = new AuditLog(path);
    const receipts = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).append(event(`w/run/${i}`))));
    expect(receipts.every((r) => r.outcome === 'appended')).toBe(true);
    const lines = await a.lines();
    expect(lines).toHaveLength(60);
    expect(verifyChain(lines, receipts).problems).toEqual([]);
    expect(new Set(receipts.map((r) => r.line)).size).toBe(60);
    const again = await b.append(event('w/run/7'));
    expect(again).toEqual({ ...receipts[7], outcome: 'duplicate' });
    expect(await a.lines()).toHaveLength(60);
  });

  it('two worker processes appending at once keep one chain (the lock file)', async () => {
    const path = join(dir, 'two-processes.jsonl');
    const writer = (name: string) =>
      execa(process.execPath, ['--input-type=module', '-e', [
        `const { AuditLog } = await import(${JSON.stringify(join(ROOT, 'dist', 'activities', 'audit', 'audit-log.js'))});`,
        `const log = new AuditLog(${JSON.stringify(path)});`,
        `for (let i = 0; i < 100; i++) await log.append({ id: '${name}/run/' + i, event: 'e', runbook: 'r', actor: 'respond', ts: 't', workflowId: '${name}' });`,
      ].join('\n')]);
    await Promise.all([writer('p1'), writer('p2')]);
    const lines = await new AuditLog(path).lines();
    expect(lines).toHaveLength(200);
    expect(verifyChain(lines, []).problems).toEqual([]);
    expect(new Set(lines.map((l) => (JSON.parse(l) as AuditEvent).workflowId))).toEqual(new Set(['p1', 'p2']));
  });

  it('without anchors the chain still names an edit that was not recomputed', () => {
    const lines = rechain(['a', 'b', 'c', 'd'].map((x) => JSON.stringify(event(x))));
    expect(verifyChain(lines, []).problems).toEqual([]);
    const edited = [...lines];
    edited[1] = edited[1]!.replace('"actor":"respond"', '"actor":"mallory"');
    expect(verifyChain(edited, []).problems[0]).toEqual({ line: 3, problem: 'prev is not the sha256 of line 2: line 2 was edited, or a line was removed or moved here' });
  });
});

describe('respond audit verify against the anchors in workflow histories', () => {
  let s: Sandbox;
  let log: string[];
  const verify = async (lines: string[], name: string) => {
    const file = join(s.dir, name);
    writeFileSync(file, lines.join('\n') + '\n');
    return s.cli(['audit', 'verify', '--log', file]);
  };

  beforeAll(async () => {
    s = await Sandbox.create();
    expect((await s.cli(['list'])).code).toBe(0);
    const runbook = join(s.dir, 'chain.yaml');
    writeFileSync(runbook, ['name: chain-test', 'steps:', ...['one', 'two', 'three'].flatMap((id) => [`  - id: ${id}`, '    kind: exec', `    command: [echo, ${id}]`])].join('\n') + '\n');
    for (const incident of ['C-1', 'C-2']) {
      const r = await s.cli(['start', runbook, '--incident', incident, '--wait']);
      expect(r.code, r.stderr).toBe(0);
    }
    log = readFileSync(s.config.auditLogPath, 'utf8').split('\n').filter(Boolean);
    expect(log.length).toBeGreaterThanOrEqual(10);
  });
  afterAll(async () => s?.stop());

  it('passes on the untouched log, every line anchored', async () => {
    const r = await s.cli(['audit', 'verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`${s.config.auditLogPath}: ${log.length} line(s), chain intact, ${log.length} anchored in 2 workflow histories`);
  });

  it('names the line when one field of one entry is edited', async () => {
    const edited = [...log];
    edited[3] = edited[3]!.replace('"actor":"respond"', '"actor":"someone-else"');
    const r = await verify(edited, 'edited.jsonl');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/edited\.jsonl:4: event \S+ differs from what its workflow recorded/);
  });

  it('names the line where a line was removed', async () => {
    const removed = log.filter((_, i) => i !== 4);
    const r = await verify(removed, 'removed.jsonl');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/removed\.jsonl:5: event \S+, recorded by its workflow as line 5, is missing \(removed\)$/);
    const json = JSON.parse((await s.cli(['audit', 'verify', '--log', join(s.dir, 'removed.jsonl'), '--json'])).stdout) as { problems: Array<{ line: number; problem: string }> };
    expect(json.problems.some((p) => p.line === 5 && p.problem.endsWith('is missing (removed)'))).toBe(true);
  });

  it('names the line even when the whole chain was recomputed by hand', async () => {
    const edited = [...log];
    edited[2] = edited[2]!.replace('"actor":"respond"', '"actor":"someone-else"');
    const forged = rechain(edited);
    expect(verifyChain(forged, []).problems).toEqual([]);
    const r = await verify(forged, 'forged.jsonl');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/forged\.jsonl:3: event \S+ differs from what its workflow recorded \(edited, or the chain before it was recomputed\)/);

    const removed = rechain(log.filter((_, i) => i !== 6));
    expect((await verify(removed, 'removed-rechained.jsonl')).stdout).toMatch(/removed-rechained\.jsonl:7: event \S+, recorded by its workflow as line 7, is missing \(removed\)/);
    const swapped = [...log];
    [swapped[5], swapped[6]] = [swapped[6]!, swapped[5]!];
    expect((await verify(rechain(swapped), 'swapped.jsonl')).stdout).toMatch(/swapped\.jsonl:6: event \S+ differs from what its workflow recorded/);
    const inserted = [...log.slice(0, 2), log[1]!.replace(/"id":"[^"]+"/, '"id":"forged-1"'), ...log.slice(2)];
    expect((await verify(rechain(inserted), 'inserted.jsonl')).stdout).toMatch(/inserted\.jsonl:3: event forged-1 was never written by workflow respond-chain-test-C-1: inserted/);
  });
});
