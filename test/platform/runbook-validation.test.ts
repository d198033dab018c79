import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../lib/errors.js';
import { loadRunbook } from '../../cli/load-runbook.js';
import { parseSetFlags, resolveParams } from '../../lib/runbook/params.js';
import { Sandbox } from '../helpers/sandbox.js';

const dir = mkdtempSync(join(tmpdir(), 'respond-yaml-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const GOOD = `name: ok
approvers: [alice]
params:
  count: { type: number, default: 1 }
  mode: { enum: [fast, slow], default: fast }
  label: { pattern: '[a-z]+', required: true }
steps:
  - id: one
    kind: exec
    command: [echo, '{{params.label}}']
`;

// Each case: the YAML, then the exact "file:line: where: what" it must produce.
const badFiles: [string, string, RegExp][] = [
  ['yaml syntax', 'name: x\nsteps: [\n', /:\d+:\d+: invalid YAML: /],
  ['unknown top-level field', GOOD + 'colour: red\n', /:11: colour: unknown field "colour"$/],
  ['unknown step kind', 'name: x\nsteps:\n  - id: a\n    kind: teleport\n', /:4: steps\[0\]\.kind: kind must be one of approval, exec, wait/],
  ['bad duration', 'name: x\nsteps:\n  - id: a\n    kind: wait\n    duration: soon\n', /:5: steps\[0\]\.duration: expected a duration/],
  ['unknown step field', 'name: x\nsteps:\n  - id: a\n    kind: wait\n    duration: 1s\n    retries: 3\n', /:6: steps\[0\]\.retries: unknown field "retries"/],
  ['duplicate step id', 'name: x\nsteps:\n  - {id: a, kind: wait, duration: 1s}\n  - {id: a, kind: wait, duration: 1s}\n', /:4: steps\[1\]\.id: duplicate step id "a"/],
  ['undeclared parameter', 'name: x\nsteps:\n  - id: a\n    kind: exec\n    command: [echo, "{{params.nope}}"]\n', /:3: steps\[0\]: uses \{\{params\.nope\}\} but the runbook declares no such parameter/],
  ['exec without command', 'name: x\nsteps:\n  - id: a\n    kind: exec\n', /:3: steps\[0\]\.command: give exactly one of command/],
  ['missing steps', 'name: x\n', /:1: steps: required field is missing/],
  ['bad approval policy', 'name: x\nsteps:\n  - id: a\n    kind: wait\n    duration: 1s\n    approval: { minApprovals: 0 }\n', /:6: steps\[0\]\.approval\.minApprovals: /],
  ['bad secret ref', 'name: x\nsecrets:\n  tok: { ref: "vault:x" }\nsteps:\n  - {id: a, kind: wait, duration: 1s}\n', /:3: secrets\.tok\.ref: a secret ref is env:NAME or file:PATH/],
];

describe('runbook files', () => {
  it('loads a valid runbook and hashes its normalised content', async () => {
    const a = await loadRunbook(file('good.yaml', GOOD));
    const b = await loadRunbook(file('good-reordered.yaml', GOOD.replace('approvers: [alice]\n', '') + 'approvers: [alice]\n'));
    expect(a.spec.steps[0]).toMatchObject({ id: 'one', kind: 'exec', timeout: '5m' });
    expect(a.specSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.specSha256).toBe(a.specSha256);
  });

  it.each(badFiles)('rejects %s with one line naming file, line and field', async (_name, text, expected) => {
    const path = file(`bad-${_name.replace(/\W+/g, '-')}.yaml`, text);
    const err = await loadRunbook(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message.startsWith(path + ':')).toBe(true);
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });
});

describe('--set values', () => {
  const specPromise = loadRunbook(file('params.yaml', GOOD));
  const cases: [string[], RegExp][] = [
    [['label'], /--set label: expected name=value/],
    [['nope=1', 'label=a'], /--set nope: runbook ok has no such parameter \(known: count, mode, label\)/],
    [['count=ten', 'label=a'], /--set count=ten: expected a number/],
    [['mode=medium', 'label=a'], /--set mode=medium: must be one of fast, slow/],
    [['label=ABC'], /--set label=ABC: does not match the pattern \[a-z\]\+/],
    [[], /parameter label is required/],
    [['label=a', 'label=b'], /--set label: given twice/],
  ];
  it.each(cases)('rejects %j', async (flags, expected) => {
    const { spec } = await specPromise;
    expect(() => resolveParams(spec, parseSetFlags(flags))).toThrow(expected);
  });

  it('coerces and fills defaults', async () => {
    const { spec } = await specPromise;
    expect(resolveParams(spec, parseSetFlags(['count=3', 'label=abc']))).toEqual({ count: 3, mode: 'fast', label: 'abc' });
  });
});

describe('respond start with bad input', () => {
  const sandbox = Sandbox.create();
  afterAll(async () => (await sandbox).stop());

  it.each([
    ['a bad runbook file', [file('cli-bad.yaml', 'name: x\nsteps:\n  - id: a\n    kind: wait\n    duration: soon\n')], /cli-bad\.yaml:5: steps\[0\]\.duration/],
    ['an unknown parameter', [file('cli-good.yaml', GOOD), '--set', 'colour=red'], /--set colour: runbook ok has no such parameter/],
    ['a malformed --set', [file('cli-good2.yaml', GOOD), '--set', 'label'], /--set label: expected name=value/],
    ['a missing runbook', ['no-such-runbook'], /runbook "no-such-runbook" not found/],
  ])('fails on %s with one line, a non-zero exit, and nothing started', async (_what, args, expected) => {
    const s = await sandbox;
    const r = await s.cli(['start', ...args]);
    expect(r.code).toBeGreaterThan(1);
    expect(r.stderr.trim()).toMatch(expected);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    // Validation happens before respond even reaches for a server: no daemon, no workflow.
    expect(s.pids().daemon).toBeUndefined();
  });
});
