import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planRunbook } from '../../cli/commands/plan.js';
import { leafHash, merkleRoot, proveInclusion, verifyInclusion } from '../../lib/fleet/merkle.js';
import { computeWaves, fleetOverride, fleetSchema, MAX_WAVE_HOSTS, orderForWaves, resolveCount } from '../../lib/fleet/policy.js';
import { waveGate } from '../../lib/fleet/wave-gate.js';

const leaves = (n: number, hash = (i: number) => `h${i % 3}`) => Array.from({ length: n }, (_, i) => ({ host: `host-${i}`, actionHash: hash(i) }));

describe('merkle root over a wave', () => {
  it('every host of waves of 1 to 40 hosts has a proof that verifies against the root', () => {
    for (let n = 1; n <= 40; n++) {
      const ls = leaves(n);
      const root = merkleRoot(ls);
      for (const l of ls) {
        const p = proveInclusion(ls, l.host);
        expect(p.root).toBe(root);
        expect(verifyInclusion(p)).toBe(true);
      }
    }
  });

  it('does not depend on the order hosts reported in, and changes when any one action changes', () => {
    const ls = leaves(9);
    expect(merkleRoot([...ls].reverse())).toBe(merkleRoot(ls));
    const changed = ls.map((l) => (l.host === 'host-4' ? { ...l, actionHash: 'other' } : l));
    expect(merkleRoot(changed)).not.toBe(merkleRoot(ls));
  });

  it('a proof for a changed action, another host, or a forged path does not verify', () => {
    const ls = leaves(7);
    const p = proveInclusion(ls, 'host-3');
    expect(verifyInclusion({ ...p, actionHash: 'h9', leaf: leafHash({ host: 'host-3', actionHash: 'h9' }) })).toBe(false);
    expect(verifyInclusion({ ...p, host: 'host-2' })).toBe(false);
    expect(verifyInclusion({ ...p, path: p.path.map((s, i) => (i === 0 ? { ...s, sibling: s.sibling.replace(/^./, 'f') } : s)) })).toBe(false);
    expect(() => proveInclusion(ls, 'host-99')).toThrow(/not in this wave/);
    expect(() => merkleRoot([...ls, ls[0]!])).toThrow(/twice/);
  });

  it('the wave gate groups identical actions once with their count and names, and its hash covers the root', () => {
    const id = { runbook: 'r', specSha256: 's', step: 'scrub', kind: 'scrub' };
    const ls = leaves(25);
    const g = waveGate({ id, wave: 2, waves: 3, leaves: ls, samples: { h0: { a: 0 } } });
    const groups = g.action.args.groups as Array<{ actionHash: string; hostCount: number; hosts: string[]; moreHosts?: number; action: unknown }>;
    expect(groups.map((x) => [x.actionHash, x.hostCount])).toEqual([['h0', 9], ['h1', 8], ['h2', 8]]);
    expect(groups[0]!.hosts).toHaveLength(9);
    expect(groups[0]!.action).toEqual({ a: 0 });
    expect(g.action.args).toMatchObject({ wave: '2/3', hostCount: 25, distinctActions: 3, merkleRoot: g.root });
    const other = waveGate({ id, wave: 2, waves: 3, leaves: ls.map((l, i) => (i === 24 ? { ...l, actionHash: 'h1' } : l)), samples: {} });
    expect(other.hash).not.toBe(g.hash);
  });
});

describe('waves, canaries and budgets', () => {
  it('counts and percents of the selection', () => {
    expect(resolveCount(3, 100)).toBe(3);
    expect(resolveCount('10%', 95)).toBe(10);
    expect(resolveCount('0%', 10, 1)).toBe(1);
  });

  it('lays out the canary wave, then batch sizes with the last repeating', () => {
    expect(computeWaves(20, 1, [1, '10%', '100%'])).toEqual([[0, 1], [1, 2], [2, 4], [4, 20]]);
    expect(computeWaves(10, 0, [3])).toEqual([[0, 3], [3, 6], [6, 9], [9, 10]]);
    expect(computeWaves(1, 0, ['100%'])).toEqual([[0, 1]]);
    expect(computeWaves(5, 5, ['100%'])).toEqual([[0, 5]]);
  });

  it(`splits any wave above ${MAX_WAVE_HOSTS} hosts`, () => {
    const w = computeWaves(12_000, 0, ['100%']);
    expect(w).toEqual([[0, 5000], [5000, 10000], [10000, 12000]]);
  });

  it('puts canaries first, by tag, count or percent, each part in inventory order', () => {
    const hosts = ['a', 'b', 'c', 'd'].map((name, i) => ({ name, tags: i % 2 ? ['canary'] : [] }));
    expect(orderForWaves(hosts, 'tag:canary')).toEqual({ order: [hosts[1], hosts[3], hosts[0], hosts[2]], canaryCount: 2 });
    expect(orderForWaves(hosts, '1').canaryCount).toBe(1);
    expect(orderForWaves(hosts, '50%').canaryCount).toBe(2);
    expect(orderForWaves(hosts, 'none').canaryCount).toBe(0);
  });

  it('--set fleet.* overrides parse and validate', () => {
    expect(fleetOverride('waves', '1,10%,100%')).toEqual({ waves: [1, '10%', '100%'] });
    expect(fleetOverride('maxErrors', '2')).toEqual({ maxErrors: 2 });
    expect(() => fleetOverride('batch', '2')).toThrow(/unknown fleet setting "batch"/);
    expect(fleetSchema.safeParse({ maxConcurrency: 'ten' }).success).toBe(false);
    expect(fleetSchema.safeParse({ canary: 'tag:canary', waves: [1, '5%'] }).success).toBe(true);
  });
});

describe('bad fleet input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'respond-fleet-bad-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const inventory = join(dir, 'inv.yaml');
  writeFileSync(inventory, 'version: 1\nhosts:\n  - {name: a, transport: local, install: {method: npm}}\n');

  it.each([
    [['fleet.maxConcurrency=ten'], undefined, /^fleet\.maxConcurrency: expected a count/],
    [['fleet.batch=2'], undefined, /^--set fleet\.batch: unknown fleet setting "batch"/],
    [[], 'nope', /^--host nope: not among the selected hosts/],
  ])('--set %j --host %s gives one line naming the problem, before anything runs', async (sets, host, message) => {
    const err = await planRunbook('upgrade', ['version=2026.9.6', ...sets], 'INC', inventory, host).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(message);
    expect(err?.message.split('\n')).toHaveLength(1);
  });

  it('a runbook file with a bad fleet block names file, line and field', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad-fleet\nparams: {inventory: {default: x}}\nfleet:\n  inventory: "{{params.inventory}}"\n  waves: [abc]\nsteps:\n  - {id: s, kind: sweep}\n');
    await expect(planRunbook(file, [], 'INC')).rejects.toThrow(`${file}:5: fleet.waves[0]: expected a count such as 5 or a percent such as 10%`);
  });
});
