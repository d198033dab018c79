/**
 * The root an approver signs off for a wave: a Merkle tree over every host's planned action, so
 * one approval covers thousands of hosts and changing any one host's action changes the root.
 * Leaves are sorted by host name; `proveInclusion` gives one host the sibling path to the root.
 * Pure (noble sha256), so the workflow and `respond plan` compute the same values.
 */
import { sha256Hex } from '../secrets.js';

export interface HostLeaf {
  host: string;
  /** sha256 of the host's planned action (without the host's name, so identical actions group). */
  actionHash: string;
}

export interface InclusionProof {
  host: string;
  actionHash: string;
  leaf: string;
  /** Sibling hashes from the leaf up; `left` when the sibling sits left of the path. */
  path: Array<{ sibling: string; side: 'left' | 'right' }>;
  root: string;
}

// Distinct prefixes keep a leaf from ever being read as an inner node (second-preimage safety).
export function leafHash(l: HostLeaf): string {
  return sha256Hex(`respond-leaf\n${l.host}\n${l.actionHash}`);
}

function nodeHash(left: string, right: string): string {
  return sha256Hex(`respond-node\n${left}\n${right}`);
}

function sortedLeaves(leaves: readonly HostLeaf[]): HostLeaf[] {
  const out = [...leaves].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.host === out[i - 1]!.host) throw new Error(`host ${out[i]!.host} appears twice in one wave`);
  }
  return out;
}

/** Each level pairs neighbours; an odd last node moves up unchanged. */
function levels(leaves: readonly HostLeaf[]): string[][] {
  if (leaves.length === 0) throw new Error('a wave needs at least one host');
  const out: string[][] = [sortedLeaves(leaves).map(leafHash)];
  while (out[out.length - 1]!.length > 1) {
    const prev = out[out.length - 1]!;
    const next: string[] = [];
    for (let i = 0; i < prev.length; i += 2) next.push(i + 1 < prev.length ? nodeHash(prev[i]!, prev[i + 1]!) : prev[i]!);
    out.push(next);
  }
  return out;
}

export function merkleRoot(leaves: readonly HostLeaf[]): string {
  const lv = levels(leaves);
  return lv[lv.length - 1]![0]!;
}

export function proveInclusion(leaves: readonly HostLeaf[], host: string): InclusionProof {
  const sorted = sortedLeaves(leaves);
  let index = sorted.findIndex((l) => l.host === host);
  if (index < 0) throw new Error(`host ${host} is not in this wave`);
  const lv = levels(sorted);
  const path: InclusionProof['path'] = [];
  for (let d = 0; d < lv.length - 1; d++) {
    const level = lv[d]!;
    const sib = index % 2 === 0 ? index + 1 : index - 1;
    if (sib < level.length) path.push({ sibling: level[sib]!, side: index % 2 === 0 ? 'right' : 'left' });
    index = Math.floor(index / 2);
  }
  const leaf = sorted.find((l) => l.host === host)!;
  return { host, actionHash: leaf.actionHash, leaf: leafHash(leaf), path, root: lv[lv.length - 1]![0]! };
}

/** Recomputes the root from the proof: true when the host's action is part of the approved root. */
export function verifyInclusion(p: InclusionProof): boolean {
  let h = leafHash({ host: p.host, actionHash: p.actionHash });
  if (h !== p.leaf) return false;
  for (const step of p.path) h = step.side === 'left' ? nodeHash(step.sibling, h) : nodeHash(h, step.sibling);
  return h === p.root;
}
