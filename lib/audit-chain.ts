/**
 * The audit log's hash chain: each line carries `prev`, the sha256 of the line before it (the
 * first line: 64 zeros), and each append's anchor (event id, line number, sha256 of the line) is
 * the activity's result, so it is kept in the writing workflow's history where the log's owner
 * cannot rewrite it. Pure: verifying needs only the lines and the anchors.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

export const GENESIS = '0'.repeat(64);

/** What one append wrote, as recorded in the workflow's history. */
export interface AuditAnchor {
  id: string;
  line: number;
  sha256: string;
}

export function lineHash(line: string): string {
  return bytesToHex(sha256(utf8ToBytes(line)));
}

export interface ChainProblem {
  line: number;
  problem: string;
}

export interface ChainReport {
  lines: number;
  /** Lines from before the chain existed (no `prev`), at the start of the file. */
  unchained: number;
  anchored: number;
  problems: ChainProblem[];
}

/**
 * `anchors`: every anchor found in the histories of the workflows the log names (with their host
 * children); `closed`: the workflows whose every execution was read and has closed, so an event
 * claiming one of them without an anchor was not written by it.
 */
export function verifyChain(lines: string[], anchors: AuditAnchor[], closed: Set<string> = new Set()): ChainReport {
  const problems: ChainProblem[] = [];
  const byId = new Map(anchors.map((a) => [a.id, a]));
  const seen = new Set<string>();
  let unchained = 0;
  let chained = false;
  let anchored = 0;
  lines.forEach((text, i) => {
    const n = i + 1;
    let entry: { id?: unknown; prev?: unknown; workflowId?: unknown };
    try {
      entry = JSON.parse(text) as typeof entry;
    } catch {
      problems.push({ line: n, problem: 'not a JSON audit event' });
      return;
    }
    if (typeof entry.prev !== 'string') {
      if (chained) problems.push({ line: n, problem: 'has no prev hash (the chain was stripped here)' });
      else unchained++;
    } else {
      chained = true;
      const expected = i === 0 ? GENESIS : lineHash(lines[i - 1]!);
      if (entry.prev !== expected) problems.push({ line: n, problem: `prev is not the sha256 of line ${n - 1}: line ${n - 1} was edited, or a line was removed or moved here` });
    }
    const id = typeof entry.id === 'string' ? entry.id : '';
    seen.add(id);
    const anchor = byId.get(id);
    if (anchor) {
      anchored++;
      if (anchor.sha256 !== lineHash(text)) problems.push({ line: n, problem: `event ${id} differs from what its workflow recorded (edited, or the chain before it was recomputed)` });
      else if (anchor.line !== n) problems.push({ line: n, problem: `event ${id} was written as line ${anchor.line} (lines removed, inserted or moved before it)` });
    } else if (typeof entry.workflowId === 'string' && closed.has(entry.workflowId)) {
      problems.push({ line: n, problem: `event ${id} was never written by workflow ${entry.workflowId}: inserted` });
    }
  });
  for (const a of anchors) {
    if (!seen.has(a.id)) problems.push({ line: a.line, problem: `event ${a.id}, recorded by its workflow as line ${a.line}, is missing (removed)` });
  }
  // At one line, the most telling reason first: a removal or an edit says more than a broken link.
  const rank = (p: ChainProblem) => ['is missing', 'differs from', 'was written as', 'inserted', 'prev is not'].findIndex((k) => p.problem.includes(k));
  problems.sort((a, b) => a.line - b.line || rank(a) - rank(b));
  return { lines: lines.length, unchained, anchored, problems };
}
